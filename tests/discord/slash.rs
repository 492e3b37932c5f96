//! Issue 6 gaps 1 and 2: `/ops` with subcommand groups and typed options, generated from the
//! catalogue and accepted by the emulator's check of Discord's rules; a typed command runs
//! the same operation as the typed line; autocomplete asks the engine.

use opsbot_tests::discord::sign::{self, GUILD_ID};
use opsbot_tests::fixtures::platform;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use serde_json::json;

use super::*;

fn registered() -> Vec<Value> {
    let discord = DiscordServer::start();
    let bot = Bot::builder(bin())
        .policy(POLICY)
        .extra(&discord_section(&discord))
        .build();
    let run = bot.run(&["discord", "register", "--guild", GUILD_ID]);
    assert_eq!(run.code, 0, "{}", run.all());
    let call = &discord.calls()[0];
    assert_eq!(call.method, "PUT");
    assert_eq!(call.status, 200, "the emulator refused: {}", call.body);
    assert_eq!(
        call.authorization.as_deref(),
        Some(format!("Bot {BOT_TOKEN}").as_str())
    );
    discord.commands(Some(GUILD_ID))
}

/// A top-level subcommand or group, whichever `/ops…` command it landed in.
fn top<'a>(commands: &'a [Value], name: &str) -> &'a Value {
    commands
        .iter()
        .flat_map(|c| c["options"].as_array().into_iter().flatten())
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in any command"))
}

fn named<'a>(items: &'a Value, name: &str) -> &'a Value {
    items
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == name))
        .unwrap_or_else(|| panic!("no {name} in {items:#}"))
}

#[test]
fn register_puts_subcommand_groups_with_typed_options_that_discord_accepts() {
    let commands = registered();
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    // More than 25 first words spill into /ops2 (and on), in catalogue order.
    assert_eq!(names.first(), Some(&"ops"));
    assert_eq!(names.last(), Some(&"ops-line"));
    for (i, name) in names[1..names.len() - 1].iter().enumerate() {
        assert_eq!(*name, format!("ops{}", i + 2));
    }
    for command in &commands {
        assert!(command["options"].as_array().is_some_and(|o| o.len() <= 25));
    }
    let ops = &commands[0];
    assert_eq!(
        ops["options"].as_array().map(Vec::len),
        Some(25),
        "full before spilling"
    );

    // A group per first word, a subcommand per form, typed options.
    let etcd = top(&commands, "etcd");
    assert_eq!(etcd["type"], 2);
    let restore = named(&etcd["options"], "restore");
    assert_eq!(restore["type"], 1);
    let snapshot = named(&restore["options"], "snapshot");
    assert_eq!(snapshot["type"], 3);
    assert_eq!(snapshot["required"], true);
    assert_eq!(snapshot["autocomplete"], true);
    let cluster = named(&restore["options"], "cluster");
    assert_eq!(cluster["autocomplete"], true);
    assert_eq!(named(&restore["options"], "reason")["required"], false);

    // Three words: group and joined rest.
    let velero = top(&commands, "velero");
    let create = named(&velero["options"], "backup-create");
    assert_eq!(create["type"], 1);

    // A single-word operation is a plain subcommand, a switch a boolean, a namespace
    // completes.
    let status = top(&commands, "status");
    assert_eq!(status["type"], 1);
    let pv = top(&commands, "pv");
    assert_eq!(named(&pv["options"], "released")["type"], 5);
    // A count is an integer within its range; a fixed list a choice.
    let nodes = named(&top(&commands, "top")["options"], "nodes");
    assert_eq!(named(&nodes["options"], "limit")["type"], 4);
    assert_eq!(named(&nodes["options"], "limit")["min_value"], 1);
    assert_eq!(
        named(&nodes["options"], "sort")["choices"][0]["value"],
        "memory"
    );
    let events = top(&commands, "events");
    assert_eq!(named(&events["options"], "namespace")["autocomplete"], true);

    // Described in English, with Korean for the Korean team.
    assert!(
        ops["description_localizations"]["ko"]
            .as_str()
            .is_some_and(|d| d.contains("작업"))
    );
    let line = named(&commands[commands.len() - 1]["options"], "command");
    assert_eq!(line["required"], true);
}

#[test]
fn register_is_refused_by_the_emulator_when_a_rule_is_broken() {
    // The emulator's check is what makes the test above mean something.
    let bad = json!([{"name": "Ops", "description": "x", "type": 1}]);
    assert!(opsbot_tests::discord::validate::commands(&bad).is_err());
    let bad = json!([{"name": "ops", "description": "x", "type": 1, "options": [
        {"name": "a", "description": "a", "type": 3},
        {"name": "b", "description": "b", "type": 3, "required": true}
    ]}]);
    assert!(opsbot_tests::discord::validate::commands(&bad).is_err());
}

/// mgmt as a Kubernetes API test server, and discord:200 (admin) in the rig.
fn kube_rig() -> (KubeServer, Rig) {
    let mgmt = KubeServer::start();
    platform::healthy_cluster(&mgmt, "mgmt", &[]);
    let rig = rig_with("en", |b| {
        b.kubeconfig(kubeconfig(&[("mgmt", &mgmt)]))
            .kube("mgmt", "mgmt")
            .kube("app1", "mgmt")
    });
    (mgmt, rig)
}

#[test]
fn typed_options_run_the_same_operation_as_the_typed_line() {
    let (_mgmt, rig) = kube_rig();
    rig.command("200", &[], "700", "events -n kube-system -c mgmt");
    let typed_line = rig.wait_message("700", Duration::from_secs(20), is_final);

    let token = rig.discord.command_token("701");
    let options = json!([{"name": "events", "type": 1, "options": [
        {"name": "namespace", "type": 3, "value": "kube-system"},
        {"name": "cluster", "type": 3, "value": "mgmt"}
    ]}]);
    let reply = rig.post(&sign::slash_body(&token, "200", &[], "701", "ops", options));
    assert_eq!(reply.json()["type"], 5, "{}", reply.body);
    let typed_options = rig.wait_message("701", Duration::from_secs(20), is_final);

    assert_eq!(title_of(&typed_options), title_of(&typed_line));
    assert_eq!(title_of(&typed_options), "events: done");
    let fields = |m: &Message| m.body["embeds"][0]["fields"].clone();
    assert_eq!(fields(&typed_options), fields(&typed_line));
    let without_footer = |m: &Message| m.body["embeds"][0]["description"].clone();
    assert_eq!(without_footer(&typed_options), without_footer(&typed_line));
}

#[test]
fn a_value_with_spaces_and_quotes_stays_one_word() {
    let rig = rig("en");
    // A group and subcommand with a positional value that a string splice would break.
    let token = rig.discord.command_token("702");
    let options = json!([{"name": "pod", "type": 2, "options": [
        {"name": "describe", "type": 1, "options": [
            {"name": "pod", "type": 3, "value": "x' -c mgmt 'y"},
            {"name": "namespace", "type": 3, "value": "default"}
        ]}
    ]}]);
    rig.post(&sign::slash_body(&token, "200", &[], "702", "ops", options));
    let answer = rig.wait_message("702", Duration::from_secs(20), |m| {
        m.body["content"]
            .as_str()
            .is_some_and(|c| c.starts_with('✗'))
    });
    // Refused as one bad pod name, not run against mgmt.
    assert!(
        text_of(&answer).contains("x' -c mgmt 'y"),
        "{}",
        text_of(&answer)
    );
}

fn choices(reply: &HttpReply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let json = reply.json();
    assert_eq!(json["type"], 8, "{json}");
    json["data"]["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["value"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn autocomplete_suggests_clusters_and_the_namespaces_of_the_chosen_cluster() {
    let (_mgmt, rig) = kube_rig();
    let options = json!([{"name": "events", "type": 1, "options": [
        {"name": "cluster", "type": 3, "value": "", "focused": true}
    ]}]);
    let clusters = choices(&rig.post(&sign::autocomplete_body("200", "703", "ops", options)));
    assert_eq!(clusters, ["app1", "mgmt"]);

    let options = json!([{"name": "events", "type": 1, "options": [
        {"name": "cluster", "type": 3, "value": "mgmt"},
        {"name": "namespace", "type": 3, "value": "k", "focused": true}
    ]}]);
    let namespaces = choices(&rig.post(&sign::autocomplete_body("200", "703", "ops", options)));
    assert_eq!(namespaces, ["kube-system"]);

    // The free-text line completes the word after -n in the -c cluster.
    let options =
        json!([{"name": "command", "type": 3, "value": "events -c mgmt -n ve", "focused": true}]);
    let line = choices(&rig.post(&sign::autocomplete_body("200", "703", "ops-line", options)));
    assert_eq!(line, ["events -c mgmt -n velero"]);
}

#[test]
fn autocomplete_suggests_velero_backups_and_etcd_snapshots() {
    let (mgmt, rig) = kube_rig();
    opsbot_tests::fixtures::velero::installed(&mgmt);
    for name in ["nightly-1", "nightly-2", "manual-1"] {
        mgmt.apply(opsbot_tests::fixtures::velero::backup(
            name,
            &["app"],
            opsbot_tests::fixtures::velero::Finished::completed(3),
            60,
        ));
    }
    let options = json!([{"name": "velero", "type": 2, "options": [
        {"name": "restore", "type": 1, "options": [
            {"name": "cluster", "type": 3, "value": "mgmt"},
            {"name": "backup", "type": 3, "value": "night", "focused": true}
        ]}
    ]}]);
    let backups = choices(&rig.post(&sign::autocomplete_body("200", "704", "ops", options)));
    assert_eq!(backups, ["nightly-1", "nightly-2"]);

    let dir = rig.bot.backups("mgmt");
    std::fs::create_dir_all(&dir).expect("backup dir");
    for name in [
        "etcd-snapshot-20261125-020000.db",
        "etcd-snapshot-20261126-020000.db",
        "notes.txt",
    ] {
        std::fs::write(dir.join(name), b"x").expect("snapshot file");
    }
    let options = json!([{"name": "etcd", "type": 2, "options": [
        {"name": "restore", "type": 1, "options": [
            {"name": "snapshot", "type": 3, "value": "etcd-snapshot-2026112", "focused": true},
            {"name": "cluster", "type": 3, "value": "mgmt"}
        ]}
    ]}]);
    let snapshots = choices(&rig.post(&sign::autocomplete_body("200", "704", "ops", options)));
    assert_eq!(
        snapshots,
        [
            "etcd-snapshot-20261125-020000.db",
            "etcd-snapshot-20261126-020000.db"
        ]
    );
}
