//! Issue 5 in Slack: `vault unseal` asks for each key share in a private modal opened from a
//! button only the runner sees, and the Deny button asks for its reason in a modal. The
//! shares reach Vault and nothing else: no message, log line, audit record or state file.

use std::time::Duration;

use opsbot_tests::slack::{View, view_closed_payload, view_submission_payload};
use opsbot_tests::vault::VaultServer;

use super::*;

const WAIT: Duration = Duration::from_secs(20);

/// A Slack bot that can reach `vault`, logging at debug so that a leak would show.
fn vault_rig(vault: &VaultServer) -> Rig {
    let slack = SlackServer::start();
    let bot = Bot::builder(bin())
        .locale("en")
        .policy(POLICY)
        // The bot wants a cluster; Vault itself needs none.
        .etcd("mgmt", "http://127.0.0.1:9".to_string())
        .extra(&format!(
            "[slack]\nsigning_secret = \"{SIGNING_SECRET}\"\nbot_token = \"{BOT_TOKEN}\"\n\
             api_url = \"{}\"\n\n[vault]\naddress = \"{}\"\n",
            slack.api_url(),
            vault.url()
        ))
        .build();
    let served = bot.serve_with_env(&[("RUST_LOG", "debug")]);
    Rig { slack, bot, served }
}

/// The `prompt:ID` button values of the ephemeral messages `user` was shown, oldest first.
fn prompt_buttons(slack: &SlackServer, channel: &str, user: &str) -> Vec<String> {
    let mut values = Vec::new();
    for message in slack.ephemeral_messages(channel) {
        if message.visible_to.as_deref() != Some(user) {
            continue;
        }
        let blocks = message.blocks.as_ref().and_then(Value::as_array);
        for block in blocks.into_iter().flatten() {
            for element in block["elements"].as_array().into_iter().flatten() {
                if let Some(v) = element["value"]
                    .as_str()
                    .filter(|v| v.starts_with("prompt:"))
                {
                    values.push(v.to_string());
                }
            }
        }
    }
    values
}

/// Waits for the `n`th prompt button (0-based) shown to `user`.
fn nth_prompt(rig: &Rig, user: &str, n: usize) -> String {
    let shown = rig
        .slack
        .wait_until(WAIT, |s| prompt_buttons(s, "C0OPS", user).len() > n);
    assert!(shown, "no prompt #{n}\n{}", rig.served.output());
    prompt_buttons(&rig.slack, "C0OPS", user)[n].clone()
}

/// Clicks a button and waits for the modal it opens; the modal's trigger_id is the click's.
fn open_modal(rig: &Rig, user: &str, value: &str) -> View {
    let payload = click_payload(user, "C0OPS", value, &rig.slack.response_url());
    let trigger_id = payload["trigger_id"].as_str().expect("trigger").to_string();
    let reply = rig.post_signed("/slack/interactions", &block_actions_body(&payload));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let opened = rig.slack.wait_until(WAIT, |s| {
        s.views()
            .iter()
            .any(|v| v.trigger_id.as_deref() == Some(trigger_id.as_str()))
    });
    assert!(opened, "no modal for {value}\n{}", rig.served.output());
    let views = rig.slack.views();
    let view = views
        .iter()
        .find(|v| v.trigger_id.as_deref() == Some(trigger_id.as_str()))
        .expect("the modal");
    view.clone()
}

/// The modal's one input: its block_id and its element's action_id.
fn input_of(view: &View) -> (String, String) {
    let blocks = view.view["blocks"].as_array().expect("blocks");
    let input = blocks
        .iter()
        .find(|b| b["type"] == "input")
        .expect("an input block");
    let block = input["block_id"].as_str().expect("block_id").to_string();
    let action = input["element"]["action_id"]
        .as_str()
        .expect("action_id")
        .to_string();
    assert_eq!(input["element"]["type"], "plain_text_input");
    (block, action)
}

/// Submits the modal as `user`, typing `text` into its input; Slack's answer must close it.
fn submit(rig: &Rig, view: &View, user: &str, text: &str) {
    let (block, action) = input_of(view);
    let payload = view_submission_payload(view, user, &[(&block, &action, text)]);
    let reply = rig.post_signed("/slack/interactions", &block_actions_body(&payload));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        !reply.body.contains("errors"),
        "the modal is closed, not kept open with errors: {}",
        reply.body
    );
}

fn state_files(bot: &Bot) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(bot.dir()).expect("dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("state.db") {
            bytes.extend(std::fs::read(entry.path()).expect("read state"));
        }
    }
    bytes
}

/// Everything the bot sent to Slack or could have shown: every Web API call's body, every
/// message version (ephemeral ones too), every view, every response_url post.
fn everything_sent(slack: &SlackServer) -> String {
    let mut all = String::new();
    for call in slack.calls() {
        all.push_str(&call.body);
        all.push('\n');
    }
    for view in slack.views() {
        for (_, version) in &view.history {
            all.push_str(&version.to_string());
        }
    }
    for post in slack.response_posts() {
        all.push_str(&post.raw);
    }
    all
}

#[test]
fn vault_unseal_from_slack_takes_shares_in_modals_and_keeps_none() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let threshold = vault.threshold() as usize;
    let rig = vault_rig(&vault);

    let asked = rig.command("U0ADMIN", "C0OPS", "vault unseal");
    assert_eq!(asked.status, 200, "{}", asked.body);

    // Someone else clicking the first prompt's button is refused and opens nothing.
    let first = nth_prompt(&rig, "U0ADMIN", 0);
    let before = rig.slack.views().len();
    let other = rig.click_body("U0VIEWER", "C0OPS", &first);
    assert_eq!(rig.post_signed("/slack/interactions", &other).status, 200);
    let refused = rig.slack.wait_until(WAIT, |s| {
        s.ephemeral_messages("C0OPS").iter().any(|m| {
            m.visible_to.as_deref() == Some("U0VIEWER")
                && text_of(m).contains("Only the person who ran the command")
        })
    });
    assert!(refused, "{}", rig.served.output());
    assert_eq!(rig.slack.views().len(), before, "no modal for someone else");

    for (n, key) in keys[..threshold].iter().enumerate() {
        let button = nth_prompt(&rig, "U0ADMIN", n);
        let view = open_modal(&rig, "U0ADMIN", &button);
        assert_eq!(view.view["type"], "modal");
        assert_eq!(view.view["notify_on_close"], true);
        assert!(
            text_of_value(&view.view).contains(&format!("Key share {} of {threshold}", n + 1)),
            "{}",
            view.view
        );
        submit(&rig, &view, "U0ADMIN", key);
    }

    let messages = rig.wait_final("C0OPS", 1, WAIT);
    let run = text_of(&messages[0]);
    assert!(header_of(&messages[0].blocks).ends_with("done"), "{run}");
    assert!(
        !vault.status()["sealed"].as_bool().unwrap_or(true),
        "Vault is unsealed"
    );
    // Each answered prompt's ephemeral message is deleted through its click's response_url.
    let deleted = rig.slack.wait_until(WAIT, |s| {
        s.response_posts()
            .iter()
            .filter(|p| p.body["delete_original"] == true)
            .count()
            == threshold
    });
    assert!(deleted, "{:?}", rig.slack.response_posts());

    let sent = everything_sent(&rig.slack);
    let logs = rig.served.output();
    let state = state_files(&rig.bot);
    for key in &keys {
        assert!(!sent.contains(key.as_str()), "a share reached Slack");
        assert!(!logs.contains(key.as_str()), "a share was logged");
        let needle = key.as_bytes();
        assert!(
            !state.windows(needle.len()).any(|w| w == needle),
            "a share reached the state database or the audit log"
        );
    }
    assert_eq!(rig.bot.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_closed_prompt_leaves_vault_sealed() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let rig = vault_rig(&vault);
    rig.command("U0ADMIN", "C0OPS", "vault unseal");
    let button = nth_prompt(&rig, "U0ADMIN", 0);
    let view = open_modal(&rig, "U0ADMIN", &button);

    let closed = view_closed_payload(&view, "U0ADMIN");
    let reply = rig.post_signed("/slack/interactions", &block_actions_body(&closed));
    assert_eq!(reply.status, 200, "{}", reply.body);

    let messages = rig.wait_final("C0OPS", 1, WAIT);
    let run = text_of(&messages[0]);
    assert!(header_of(&messages[0].blocks).ends_with("failed"), "{run}");
    assert!(
        run.contains("No key share was given; Vault stays sealed"),
        "{run}"
    );
    assert!(vault.status()["sealed"].as_bool().unwrap_or(false));

    // The closed prompt's button is stale now.
    let again = rig.click_body("U0ADMIN", "C0OPS", &button);
    assert_eq!(rig.post_signed("/slack/interactions", &again).status, 200);
    let told = rig.slack.wait_until(WAIT, |s| {
        s.ephemeral_messages("C0OPS")
            .iter()
            .any(|m| text_of(m).contains("no longer open"))
    });
    assert!(told, "{}", rig.served.output());
}

#[test]
fn a_modal_submitted_by_a_forged_user_does_not_answer_the_prompt() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let rig = vault_rig(&vault);
    rig.command("U0ADMIN", "C0OPS", "vault unseal");
    let button = nth_prompt(&rig, "U0ADMIN", 0);
    let view = open_modal(&rig, "U0ADMIN", &button);

    // The same modal handed back under another user is not taken.
    submit(&rig, &view, "U0VIEWER", &keys[0]);
    // The runner's own submission is.
    submit(&rig, &view, "U0ADMIN", &keys[0]);
    let accepted = rig.slack.wait_until(WAIT, |s| {
        s.messages("C0OPS")
            .iter()
            .any(|m| text_of(m).contains("Share accepted: 1 of"))
    });
    assert!(accepted, "{}", rig.served.output());
    let requests = vault.requests();
    let unseals = requests
        .iter()
        .filter(|r| r.path.ends_with("sys/unseal"))
        .count();
    assert_eq!(unseals, 1, "one share sent, by the runner");
}

fn text_of_value(value: &Value) -> String {
    let mut out = String::new();
    super::collect_text(value, &mut out);
    out
}

const APPROVAL_POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["slack:U0BOB", "slack:U0ALICE"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#;

#[test]
fn deny_asks_for_a_reason_in_a_modal_and_the_card_ends_denied_with_it() {
    let rig = rig_with("en", |b, _| {
        b.policy(APPROVAL_POLICY)
            .etcd("mgmt", "http://127.0.0.1:9".to_string())
    });
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let carded = rig.slack.wait_until(WAIT, |s| {
        super::approvals::buttons(s, "C0OPS")
            .iter()
            .any(|v| v.starts_with("deny:"))
    });
    assert!(carded, "no card\n{}", rig.served.output());
    let deny = super::approvals::buttons(&rig.slack, "C0OPS")
        .into_iter()
        .find(|v| v.starts_with("deny:"))
        .expect("deny button");

    let view = open_modal(&rig, "U0ALICE", &deny);
    assert_eq!(view.view["type"], "modal");
    // The click alone decides nothing.
    let card = &rig.slack.messages("C0OPS")[0];
    assert!(card.edits().is_empty(), "{}", text_of(card));

    submit(&rig, &view, "U0ALICE", "change freeze until Monday");
    let denied = rig.slack.wait_until(WAIT, |s| {
        text_of(&s.messages("C0OPS")[0]).contains("change freeze until Monday")
    });
    let card = &rig.slack.messages("C0OPS")[0];
    assert!(denied, "{}\n{}", text_of(card), rig.served.output());
    assert!(
        text_of(card).contains("denied by slack:U0ALICE"),
        "{}",
        text_of(card)
    );
    assert!(
        super::approvals::buttons(&rig.slack, "C0OPS").is_empty(),
        "no buttons once denied"
    );
}

#[test]
fn deny_through_socket_mode_reads_the_reason_from_the_submitted_modal() {
    use opsbot_tests::slack::envelope;
    let rig = rig_with("en", |b, _| {
        b.policy(APPROVAL_POLICY)
            .etcd("mgmt", "http://127.0.0.1:9".to_string())
            .extra(&format!("app_token = \"{APP_TOKEN}\""))
    });
    assert!(
        rig.slack.wait_until(WAIT, |s| s.socket_connected()),
        "no Socket Mode connection\n{}",
        rig.served.output()
    );
    rig.command("U0BOB", "C0OPS", "etcd snapshot -c mgmt --reason drill");
    let carded = rig
        .slack
        .wait_until(WAIT, |s| !super::approvals::buttons(s, "C0OPS").is_empty());
    assert!(carded, "no card\n{}", rig.served.output());
    let deny = super::approvals::buttons(&rig.slack, "C0OPS")
        .into_iter()
        .find(|v| v.starts_with("deny:"))
        .expect("deny button");

    let click = click_payload("U0ALICE", "C0OPS", &deny, &rig.slack.response_url());
    let trigger_id = click["trigger_id"].as_str().expect("trigger").to_string();
    assert!(rig.slack.socket_send(envelope("interactive", click)));
    let opened = rig.slack.wait_until(WAIT, |s| {
        s.views()
            .iter()
            .any(|v| v.trigger_id.as_deref() == Some(trigger_id.as_str()))
    });
    assert!(opened, "no modal\n{}", rig.served.output());
    let view = rig.slack.views().pop().expect("the modal");
    let (block, action) = input_of(&view);
    let submitted =
        view_submission_payload(&view, "U0ALICE", &[(&block, &action, "wrong cluster")]);
    assert!(rig.slack.socket_send(envelope("interactive", submitted)));

    let denied = rig.slack.wait_until(WAIT, |s| {
        text_of(&s.messages("C0OPS")[0]).contains("wrong cluster")
    });
    assert!(
        denied,
        "{}\n{}",
        text_of(&rig.slack.messages("C0OPS")[0]),
        rig.served.output()
    );
}
