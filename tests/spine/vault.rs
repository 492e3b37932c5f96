//! vault.unseal through the shell: shares are read privately, sent to Vault, and appear in
//! no output, log, audit record or state file.

use super::bin;
use opsbot_tests::bot::Bot;
use opsbot_tests::vault::VaultServer;

fn bot(vault: &VaultServer) -> Bot {
    // The test policy names cluster mgmt; Vault itself needs no cluster.
    Bot::builder(bin())
        .etcd("mgmt", "http://127.0.0.1:9".to_string())
        .extra(&format!("[vault]\naddress = \"{}\"\n", vault.url()))
        .build()
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

#[test]
fn shares_unseal_vault_and_are_never_kept() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let threshold = vault.threshold() as usize;
    let bot = bot(&vault);
    let input = format!(
        "vault unseal\n{}\nvault status\n",
        keys[..threshold].join("\n")
    );
    let run = bot.shell("bob", &input);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains(&format!("Share accepted: {threshold} of {threshold}")),
        "{}",
        run.stdout
    );
    assert!(
        !vault.status()["sealed"].as_bool().unwrap_or(true),
        "Vault is unsealed"
    );
    let state = state_files(&bot);
    for key in &keys {
        assert!(!run.all().contains(key.as_str()), "a share was printed");
        let needle = key.as_bytes();
        assert!(
            !state.windows(needle.len()).any(|w| w == needle),
            "a share reached the state database"
        );
    }
    assert_eq!(bot.run(&["audit", "verify"]).code, 0);
}

#[test]
fn without_a_share_vault_stays_sealed() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let bot = bot(&vault);
    let run = bot.shell("bob", "vault unseal\n");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout
            .contains("No key share was given; Vault stays sealed"),
        "{}",
        run.stdout
    );
    assert!(vault.status()["sealed"].as_bool().unwrap_or(false));
}

#[test]
fn a_refused_share_is_asked_again() {
    let vault = VaultServer::start();
    vault.set_sealed(true);
    let keys = vault.keys();
    let threshold = vault.threshold() as usize;
    let bot = bot(&vault);
    let mut lines = vec!["vault unseal".to_string(), "not-a-real-share".to_string()];
    lines.extend(keys[..threshold].iter().cloned());
    let run = bot.shell("bob", &(lines.join("\n") + "\n"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("Vault refused that share"),
        "{}",
        run.stdout
    );
    assert!(!run.all().contains("not-a-real-share"));
}
