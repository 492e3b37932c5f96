//! Issue 11, point 8: an audit log that a database writer cannot rewrite silently. The key
//! (`audit.key_file`) makes the chain an HMAC chain; the anchor (`audit.anchor_file`) keeps
//! the head outside the database; `audit verify` reads both, `audit export` streams.

use std::os::unix::fs::PermissionsExt;

use super::{sql, with_db};
use crate::bin;
use opsbot_tests::bot::Bot;
use sha2::{Digest, Sha256};

const KEY: &str = "6f70736269742d61756469742d6b65792d666f722d74657374732d6f6e6c7921";

/// A bot whose etcd is never reached: `contacts` and unknown commands make records enough.
fn bot(audit: &str) -> Bot {
    let bot = Bot::builder(bin())
        .etcd("mgmt", "http://127.0.0.1:9".to_string())
        .extra(&format!("[audit]\n{audit}"))
        .build();
    write_key(&bot, KEY, 0o600);
    std::fs::write(bot.dir().join("anchor"), "").expect("anchor");
    bot
}

fn write_key(bot: &Bot, key: &str, mode: u32) {
    let path = bot.dir().join("audit.key");
    std::fs::write(&path, format!("{key}\n")).expect("key");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

const KEYED: &str = "key_file = \"audit.key\"\n";
const ANCHORED: &str = "anchor_file = \"anchor\"\n";

/// Two commands run and one rejected: ten records (invocation, decision, step, result;
/// invocation, rejected; and the first four again).
fn some_records(bot: &Bot) {
    let run = bot.shell("victor", "contacts\nnonsense\ncontacts\n");
    assert!(run.stdout.contains("Unknown command"), "{}", run.all());
}

fn head_seq(bot: &Bot) -> i64 {
    with_db(bot, async |conn| {
        sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(conn)
            .await
            .expect("count")
    })
}

const RECORDS: i64 = 10;

fn verify(bot: &Bot) -> opsbot_tests::bot::Run {
    bot.run(&["audit", "verify"])
}

/// What a database writer without the key does: rewrites record `from` on, recomputing each
/// plain SHA-256 hash (the first release's formula), every link after it, and the head.
fn rewrite_and_recompute(bot: &Bot, from: i64) {
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
    );
    with_db(bot, async |conn| {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, request_id, kind, subject, operation, detail, prev_hash
             FROM audit_log ORDER BY seq",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("read");
        let mut prev: Option<String> = None;
        for (seq, at, request_id, kind, subject, operation, detail, prev_hash) in rows {
            if seq < from {
                prev = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = ?")
                    .bind(seq)
                    .fetch_one(&mut *conn)
                    .await
                    .expect("hash");
                continue;
            }
            let subject = if seq == from {
                "shell:bob".into()
            } else {
                subject
            };
            let prev_hash = prev.clone().unwrap_or(prev_hash);
            let canonical = serde_json::json!([
                seq, at, request_id, kind, subject, operation, detail, prev_hash
            ]);
            let hash = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
            sqlx::query(
                "UPDATE audit_log SET subject = ?, prev_hash = ?, hash = ?, scheme = 'sha256'
                 WHERE seq = ?",
            )
            .bind(&subject)
            .bind(&prev_hash)
            .bind(&hash)
            .bind(seq)
            .execute(&mut *conn)
            .await
            .expect("rewrite");
            sqlx::query("UPDATE audit_head SET hash = ? WHERE seq = ?")
                .bind(&hash)
                .bind(seq)
                .execute(&mut *conn)
                .await
                .expect("head");
            prev = Some(hash);
        }
    });
}

/// Attack closed: a database writer rewrites the log end to end and recomputes every hash
/// and the head. On the old code this verified as intact; with a key it cannot be redone.
#[test]
fn a_log_rewritten_with_recomputed_hashes_fails_under_the_key() {
    let bot = bot(KEYED);
    some_records(&bot);
    let run = verify(&bot);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("sealed with audit key"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Without an anchor file"),
        "{}",
        run.stdout
    );
    rewrite_and_recompute(&bot, 1);
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("is not sealed with the configured audit key"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// Same attack from the middle: records after sealed ones come back plain.
#[test]
fn a_record_rewritten_mid_log_is_named_under_the_key() {
    let bot = bot(KEYED);
    some_records(&bot);
    rewrite_and_recompute(&bot, 2);
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("at record 2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("not sealed with the audit key"),
        "{}",
        run.stderr
    );
}

/// Attack closed without a key: the anchor outside the database still holds the old hashes.
#[test]
fn a_log_rewritten_with_recomputed_hashes_disagrees_with_its_anchor() {
    let bot = bot(ANCHORED);
    some_records(&bot);
    let run = verify(&bot);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("matches the anchor file"),
        "{}",
        run.stdout
    );
    rewrite_and_recompute(&bot, 2);
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("at record 2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("anchor file holds a different hash"),
        "{}",
        run.stderr
    );
}

/// Attack closed: the tail cut off and the head table moved back to match; only the anchor
/// remembers how far the log went.
#[test]
fn a_cut_tail_with_a_moved_head_is_caught_by_the_anchor() {
    let bot = bot(&format!("{KEYED}{ANCHORED}"));
    some_records(&bot);
    sql(&bot, "DELETE FROM audit_log WHERE seq >= 4");
    sql(
        &bot,
        "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)",
    );
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("the log ends at record 3: its tail was cut off"),
        "{}",
        run.stderr
    );
}

#[test]
fn records_made_outside_the_anchor_are_named() {
    let bot = bot(ANCHORED);
    some_records(&bot);
    let anchor = std::fs::read_to_string(bot.dir().join("anchor")).expect("anchor");
    let kept: Vec<&str> = anchor.lines().collect();
    std::fs::write(
        bot.dir().join("anchor"),
        kept[..kept.len() - 1].join("\n") + "\n",
    )
    .expect("rewrite anchor");
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("anchor file's last entry is record"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_sealed_log_without_its_key_says_which_key_is_needed() {
    let bot = bot(KEYED);
    some_records(&bot);
    let config = std::fs::read_to_string(bot.config()).expect("config");
    std::fs::write(bot.config(), config.replace(KEYED, "")).expect("drop the key");
    let run = verify(&bot);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("Record 1 is sealed with audit key"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("set audit.key_file"), "{}", run.stderr);
    // A shell without the key would break the chain: it does not start.
    let run = bot.shell("victor", "contacts\n");
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("sealed with audit key"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_log_begun_without_a_key_continues_with_one() {
    let bot = bot("");
    some_records(&bot);
    assert_eq!(head_seq(&bot), RECORDS);
    let config = std::fs::read_to_string(bot.config()).expect("config");
    std::fs::write(
        bot.config(),
        config.replace("[audit]\n", &format!("[audit]\n{KEYED}")),
    )
    .expect("add the key");
    some_records(&bot);
    let run = verify(&bot);
    assert_eq!(run.code, 0, "{}", run.all());
    // The first shell's records, then the one saying the key was taken into use.
    assert!(
        run.stdout
            .contains(&format!("Records from {} on are sealed", RECORDS + 1)),
        "{}",
        run.stdout
    );
}

/// Something done to the key or anchor file before a run.
type Breakage = Box<dyn Fn(&Bot)>;

#[test]
fn key_and_anchor_problems_are_one_sentence_each_and_stop_the_shell() {
    let bot = bot(&format!("{KEYED}{ANCHORED}"));
    let cases: [(&str, Breakage); 5] = [
        (
            "is open to every user on this host (mode 644)",
            Box::new(|b| write_key(b, KEY, 0o644)),
        ),
        (
            "The audit key is empty.",
            Box::new(|b| write_key(b, "  ", 0o600)),
        ),
        (
            "it needs at least 32",
            Box::new(|b| write_key(b, "short", 0o600)),
        ),
        (
            "does not exist.",
            Box::new(|b| std::fs::remove_file(b.dir().join("audit.key")).expect("rm")),
        ),
        (
            "audit anchor file",
            Box::new(|b| std::fs::remove_file(b.dir().join("anchor")).expect("rm")),
        ),
    ];
    for (expected, break_it) in cases {
        write_key(&bot, KEY, 0o600);
        std::fs::write(bot.dir().join("anchor"), "").expect("anchor");
        break_it(&bot);
        let run = bot.run(&["check-config"]);
        assert_eq!(run.code, 1, "{expected}: {}", run.all());
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("audit."))
            .collect();
        assert_eq!(lines.len(), 1, "{expected}: {}", run.stderr);
        assert!(lines[0].contains(expected), "{expected}: {}", run.stderr);
        let run = bot.shell("victor", "contacts\n");
        assert_eq!(run.code, 1, "{expected}: {}", run.all());
        assert!(!bot.state_db().exists(), "{expected}: the shell went ahead");
    }
}

#[test]
fn the_key_may_come_from_the_environment() {
    let bot = bot("key_env = \"OPSBOT_TEST_AUDIT_KEY\"\n");
    let run = bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("OPSBOT_TEST_AUDIT_KEY"),
        "{}",
        run.stderr
    );
    let run = bot.run_with_env(&["audit", "verify"], &[("OPSBOT_TEST_AUDIT_KEY", KEY)]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn export_writes_json_lines_since_a_time() {
    let bot = bot(KEYED);
    some_records(&bot);
    // Backdate the first three records (export does not verify; it streams what is stored).
    sql(
        &bot,
        "UPDATE audit_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq <= 3",
    );
    let all = bot.run(&["audit", "export"]);
    assert_eq!(all.code, 0, "{}", all.all());
    let lines: Vec<serde_json::Value> = all
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len() as i64, RECORDS, "{}", all.stdout);
    let first = &lines[0];
    for field in [
        "seq",
        "time",
        "request_id",
        "kind",
        "subject",
        "operation",
        "detail",
        "hash",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert_eq!(first["subject"], "shell:victor");
    for since in ["24h", "2021-01-01T00:00:00+09:00"] {
        let recent = bot.run(&["audit", "export", "--since", since]);
        assert_eq!(recent.code, 0, "{}", recent.all());
        let seqs: Vec<i64> = recent
            .stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("json")["seq"]
                    .as_i64()
                    .expect("seq")
            })
            .collect();
        assert_eq!(seqs, (4..=RECORDS).collect::<Vec<_>>(), "{since}");
    }
    let bad = bot.run(&["audit", "export", "--since", "last tuesday"]);
    assert_eq!(bad.code, 2, "{}", bad.all());
    assert_eq!(bad.stdout, "");
    assert_eq!(bad.stderr.lines().count(), 1, "{}", bad.stderr);
    assert!(bad.stderr.contains("is not a time"), "{}", bad.stderr);
}

#[test]
fn a_head_post_interval_that_is_no_duration_is_one_sentence() {
    for bad in ["hourly", "0s"] {
        let bot = bot(&format!("head_post_interval = \"{bad}\"\n"));
        let run = bot.run(&["check-config"]);
        assert_eq!(run.code, 1, "{bad}: {}", run.all());
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("audit.head_post_interval"))
            .collect();
        assert_eq!(lines.len(), 1, "{bad}: {}", run.stderr);
        assert!(lines[0].contains("is not a duration"), "{}", run.stderr);
    }
}
