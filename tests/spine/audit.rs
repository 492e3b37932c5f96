//! The audit log: every stage recorded, and tampering caught by `audit verify`.

mod sealed;

use super::bot_with_etcd;
use opsbot_tests::bot::Bot;

/// Runs `work` on a connection to the bot's state database, as a tamperer would.
fn with_db<T>(bot: &Bot, work: impl AsyncFnOnce(&mut sqlx::SqliteConnection) -> T) -> T {
    use sqlx::Connection;
    let url = format!("sqlite://{}", bot.state_db().display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("open state db");
            work(&mut conn).await
        })
}

pub(super) fn sql(bot: &Bot, statement: &'static str) {
    with_db(bot, async |conn| {
        sqlx::query(statement).execute(conn).await.expect("tamper");
    });
}

fn rows(bot: &Bot, query: &'static str) -> Vec<(String, String)> {
    with_db(bot, async |conn| {
        sqlx::query_as(query).fetch_all(conn).await.expect("query")
    })
}

#[test]
fn every_stage_is_recorded_and_the_chain_verifies() {
    let (bot, _etcd) = bot_with_etcd("en");
    bot.shell("bob", "etcd snapshot -c mgmt\n");
    bot.shell("victor", "etcd snapshot -c mgmt\nnonsense\n");
    let kinds: Vec<String> = rows(&bot, "SELECT kind, subject FROM audit_log ORDER BY seq")
        .into_iter()
        .map(|(kind, subject)| format!("{kind}:{subject}"))
        .collect();
    assert_eq!(
        kinds,
        [
            "invocation:shell:bob",
            "decision:shell:bob",
            "step:shell:bob",
            "step:shell:bob",
            "step:shell:bob",
            "result:shell:bob",
            "invocation:shell:victor",
            "decision:shell:victor",
            "result:shell:victor",
            "invocation:shell:victor",
            "rejected:shell:victor",
        ]
    );
    let run = bot.run(&["audit", "verify"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("intact: 11 records"), "{}", run.stdout);
}

#[test]
fn an_edited_record_is_caught() {
    let (bot, _etcd) = bot_with_etcd("en");
    bot.shell("victor", "etcd status\netcd status\n");
    sql(
        &bot,
        "UPDATE audit_log SET subject = 'shell:bob' WHERE seq = 2",
    );
    let run = bot.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("at record 2"), "{}", run.stderr);
}

#[test]
fn a_deleted_record_is_caught() {
    let (bot, _etcd) = bot_with_etcd("en");
    bot.shell("victor", "etcd status\netcd status\n");
    sql(&bot, "DELETE FROM audit_log WHERE seq = 3");
    let run = bot.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("at record 4"), "{}", run.stderr);
}

#[test]
fn reordered_records_are_caught() {
    let (bot, _etcd) = bot_with_etcd("en");
    bot.shell("victor", "etcd status\netcd status\n");
    // Swap the contents of records 1 and 2, keeping their sequence numbers.
    sql(&bot, "UPDATE audit_log SET seq = -1 WHERE seq = 1");
    sql(&bot, "UPDATE audit_log SET seq = 1 WHERE seq = 2");
    sql(&bot, "UPDATE audit_log SET seq = 2 WHERE seq = -1");
    let run = bot.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("at record 1"), "{}", run.stderr);
}

#[test]
fn a_cut_tail_is_caught() {
    let (bot, _etcd) = bot_with_etcd("en");
    bot.shell("victor", "etcd status\n");
    sql(
        &bot,
        "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)",
    );
    let run = bot.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("were removed"), "{}", run.stderr);
}
