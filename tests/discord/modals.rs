//! Issue 5 in Discord: `vault unseal` asks for each key share in a private modal, opened from
//! a button in an ephemeral follow-up only the runner sees. The shares reach Vault and
//! nothing else: no call to Discord, log line, audit record or state file.

use std::time::Duration;

use opsbot_tests::vault::VaultServer;
use serde_json::json;

use super::*;

const WAIT: Duration = Duration::from_secs(20);
const CHANNEL: &str = "700";
const RUNNER: &str = "200";
const OTHER: &str = "100";

/// A Discord bot that can reach `vault`, logging at debug so that a leak would show.
fn vault_rig(vault: &VaultServer) -> Rig {
    let discord = DiscordServer::start();
    let bot = Bot::builder(bin())
        .locale("en")
        .policy(POLICY)
        // The bot wants a cluster; Vault itself needs none.
        .etcd("mgmt", "http://127.0.0.1:9".to_string())
        .extra(&format!(
            "{}\n[vault]\naddress = \"{}\"\n",
            discord_section(&discord),
            vault.url()
        ))
        .build();
    let served = bot.serve_with_env(&[("RUST_LOG", "debug")]);
    Rig {
        discord,
        bot,
        served,
    }
}

/// The prompt follow-ups of the interaction `token` (deleted ones too), oldest first.
fn prompts(discord: &DiscordServer, token: &str) -> Vec<Message> {
    discord
        .followups(token)
        .into_iter()
        .filter(|m| buttons(m).iter().any(|b| b.starts_with("prompt:")))
        .collect()
}

/// Waits for the `n`th prompt (0-based) of the command answered through `token`.
fn nth_prompt(rig: &Rig, token: &str, n: usize) -> Message {
    let shown = rig
        .discord
        .wait_until(WAIT, |d| prompts(d, token).len() > n);
    assert!(shown, "no prompt #{n}\n{}", rig.served.output());
    prompts(&rig.discord, token).swap_remove(n)
}

/// `user` clicks the prompt's button; the endpoint's immediate answer.
fn click(rig: &Rig, user: &str, prompt: &Message) -> Value {
    let custom_id = buttons(prompt)
        .into_iter()
        .find(|b| b.starts_with("prompt:"))
        .expect("a prompt button");
    let token = rig.discord.click_token(CHANNEL, &prompt.id);
    let message = json!({"id": prompt.id, "channel_id": CHANNEL, "flags": 64});
    let body = sign::click_body(&token, user, &[], CHANNEL, &message, &custom_id);
    let reply = rig.post(&body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("JSON answer")
}

/// The custom_id of the modal's one text input, checking the modal's shape on the way.
fn input_of(modal: &Value) -> String {
    assert_eq!(modal["type"], 9, "a modal: {modal}");
    let rows = modal["data"]["components"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "one action row: {modal}");
    assert_eq!(rows[0]["type"], 1);
    let inputs = rows[0]["components"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 1, "one input: {modal}");
    assert_eq!(inputs[0]["type"], 4, "a text input");
    assert_eq!(inputs[0]["style"], 1, "short");
    assert_eq!(inputs[0]["required"], true);
    assert!(
        !modal["data"]["title"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    inputs[0]["custom_id"]
        .as_str()
        .expect("custom_id")
        .to_string()
}

/// Submits the modal as `user`, typing `text`; the endpoint's immediate answer.
fn submit(rig: &Rig, modal: &Value, user: &str, text: &str) -> Value {
    let input = input_of(modal);
    let custom_id = modal["data"]["custom_id"].as_str().expect("custom_id");
    let token = rig.discord.interaction_token(CHANNEL);
    let body = sign::modal_submit_body(&token, user, &[], CHANNEL, custom_id, &[(&input, text)]);
    let reply = rig.post(&body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("JSON answer")
}

/// An ephemeral message answer (type 4, flags 64) and its text.
fn ephemeral_text(answer: &Value) -> String {
    assert_eq!(answer["type"], 4, "{answer}");
    assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
    answer["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
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

/// Everything the bot sent to Discord: every call's body and files, every version of every
/// message, deleted ones included.
fn everything_sent(discord: &DiscordServer) -> Vec<u8> {
    let mut all = Vec::new();
    for call in discord.calls() {
        all.extend(call.path.as_bytes());
        all.extend(call.body.to_string().as_bytes());
        for (_, bytes) in &call.files {
            all.extend(bytes);
        }
    }
    let mut messages = discord.messages(CHANNEL);
    messages.extend(discord.deleted());
    for message in messages {
        for version in &message.history {
            all.extend(version.to_string().as_bytes());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn vault_unseal_from_discord_takes_shares_in_modals_and_keeps_none() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let threshold = vault.threshold() as usize;
    let rig = vault_rig(&vault);

    let (asked, token) = rig.command(RUNNER, &[], CHANNEL, "vault unseal");
    assert_eq!(asked.status, 200, "{}", asked.body);

    // The prompt is an ephemeral follow-up of the runner's command, with the question.
    let first = nth_prompt(&rig, &token, 0);
    assert!(first.ephemeral, "{first:#?}");
    assert!(
        text_of(&first).contains(&format!("Key share 1 of {threshold}")),
        "{}",
        text_of(&first)
    );

    // Someone else clicking it is refused, privately, and no modal opens.
    let refused = click(&rig, OTHER, &first);
    assert!(
        ephemeral_text(&refused).contains("Only the person who ran the command"),
        "{refused}"
    );

    let mut answers = Vec::new();
    for (n, key) in keys[..threshold].iter().enumerate() {
        let prompt = nth_prompt(&rig, &token, n);
        let modal = click(&rig, RUNNER, &prompt);
        let label = modal["data"]["components"][0]["components"][0]["label"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            label.contains(&format!("Key share {} of {threshold}", n + 1)),
            "{modal}"
        );
        let answer = submit(&rig, &modal, RUNNER, key);
        assert!(
            answer["type"] == 6 || answer["data"]["flags"] == 64,
            "received privately: {answer}"
        );
        answers.push(answer.to_string());
    }

    let done = rig.wait_message(CHANNEL, WAIT, |m| !m.ephemeral && is_final(m));
    assert!(title_of(&done).ends_with("done"), "{}", text_of(&done));
    assert!(
        !vault.status()["sealed"].as_bool().unwrap_or(true),
        "Vault is unsealed"
    );
    // Each answered prompt's follow-up is deleted, so no stale button is left.
    let gone = rig.discord.wait_until(WAIT, |d| {
        prompts(d, &token).iter().all(|p| {
            d.deleted().iter().any(|m| m.id == p.id)
                && !d.messages(CHANNEL).iter().any(|m| m.id == p.id)
        })
    });
    assert!(gone, "{:#?}", prompts(&rig.discord, &token));

    let sent = everything_sent(&rig.discord);
    let logs = rig.served.output();
    let state = state_files(&rig.bot);
    for key in &keys {
        assert!(!contains(&sent, key), "a share reached Discord");
        assert!(
            !answers.iter().any(|a| a.contains(key.as_str())),
            "a share was echoed"
        );
        assert!(!logs.contains(key.as_str()), "a share was logged");
        assert!(
            !contains(&state, key),
            "a share reached the state database or the audit log"
        );
    }
    assert_eq!(rig.bot.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_modal_submitted_by_another_user_does_not_answer_the_prompt() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let rig = vault_rig(&vault);
    let (_, token) = rig.command(RUNNER, &[], CHANNEL, "vault unseal");
    let prompt = nth_prompt(&rig, &token, 0);
    let modal = click(&rig, RUNNER, &prompt);

    // The same modal handed back under another user is refused and not taken.
    let forged = submit(&rig, &modal, OTHER, &keys[0]);
    assert!(
        ephemeral_text(&forged).contains("Only the person who ran the command"),
        "{forged}"
    );
    assert!(!forged.to_string().contains(keys[0].as_str()), "not echoed");
    // The runner's own submission is.
    submit(&rig, &modal, RUNNER, &keys[0]);
    rig.wait_message(CHANNEL, WAIT, |m| {
        text_of(m).contains("Share accepted: 1 of")
    });
    let unseals = vault
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("sys/unseal"))
        .count();
    assert_eq!(unseals, 1, "one share sent, by the runner");

    // Answered, the prompt is closed: its button and its modal are stale now.
    let again = click(&rig, RUNNER, &prompt);
    assert!(ephemeral_text(&again).contains("no longer open"), "{again}");
    let late = submit(&rig, &modal, RUNNER, &keys[1]);
    assert!(ephemeral_text(&late).contains("no longer open"), "{late}");
}
