//! The command language through the shell: bad input, help, quoting, Korean and English.

use super::bot_with_etcd;

#[test]
fn bad_input_gets_one_sentence_and_changes_nothing() {
    let (bot, _etcd) = bot_with_etcd("en");
    let cases = [
        ("etcd snapsot -c mgmt", "Did you mean \"etcd snapshot\"?"),
        ("etcd snapshot -c prod", "Unknown cluster \"prod\""),
        ("etcd snapshot -c Bad_Name", "is not a valid cluster"),
        ("pod logs web -n Default", "is not a valid namespace"),
        (
            "velero schedule create nightly --cron \"0 2 * *\" ",
            "five-field cron",
        ),
        ("upgrade k8s 1.35 -c mgmt", "version such as 1.35.1"),
        ("certs --within soon", "duration such as 30s"),
        ("etcd snapshot --clustr mgmt", "did you mean --cluster?"),
        ("etcd status \"unclosed", "A quote is not closed."),
        (
            "pod delete web -n app -c mgmt extra",
            "Unexpected \"extra\"",
        ),
    ];
    for (line, expected) in cases {
        let run = bot.shell("bob", &format!("{line}\n"));
        assert_eq!(run.code, 1, "{line}: {}", run.all());
        assert!(run.stdout.contains(expected), "{line}: {}", run.stdout);
        assert_eq!(
            run.stdout.lines().count(),
            1,
            "one sentence for {line}: {}",
            run.stdout
        );
    }
    assert!(!bot.backups("mgmt").exists(), "nothing was written");
}

#[test]
fn quoted_values_stay_one_argument() {
    let (bot, _etcd) = bot_with_etcd("en");
    // A valid cron in quotes parses as one value and reaches the plan whole.
    let run = bot.shell(
        "bob",
        "velero schedule create nightly --cron \"0 2 * * *\" --ttl 168h -c mgmt\n",
    );
    assert!(run.stdout.contains("\"0 2 * * *\""), "{}", run.stdout);
}

#[test]
fn help_lists_every_operation_and_none_is_planned_any_more() {
    let (bot, _etcd) = bot_with_etcd("en");
    let run = bot.shell("victor", "help\nhelp etcd snapshot\n");
    assert_eq!(run.code, 0, "{}", run.all());
    for usage in [
        "etcd snapshot [-c CLUSTER]",
        "velero restore BACKUP",
        "pod delete POD -n NAMESPACE",
    ] {
        assert!(run.stdout.contains(usage), "{usage}: {}", run.stdout);
    }
    // Every row of OPERATIONS.md runs now; `page` was the last.
    assert!(!run.stdout.contains("(not yet)"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("page SITUATION [-c CLUSTER] MESSAGE..."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("runbook section: 2.1"),
        "{}",
        run.stdout
    );
}

#[test]
fn destructive_operations_never_run_without_approval() {
    let (bot, _etcd) = bot_with_etcd("en");
    // The approval rule wants a reason: without one, nothing is asked or run.
    let run = bot.shell(
        "bob",
        "etcd restore etcd-snapshot-20261126-020000.db -c mgmt\n",
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("needs a reason"), "{}", run.stdout);
    // No approval rule covers vm.restart: even an admin cannot run it.
    let run = bot.shell("bob", "vm restart mgmt-cp\n");
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("vm.restart is destructive and no approval rule in the policy covers it"),
        "{}",
        run.stdout
    );
}

#[test]
fn korean_output_when_the_locale_is_ko() {
    let (bot, _etcd) = bot_with_etcd("ko");
    let run = bot.shell("victor", "etcd snapshot -c mgmt\netcd snapsot\ncontacts\n");
    assert!(run.stdout.contains("실행할 수 없습니다"), "{}", run.stdout);
    assert!(
        run.stdout.contains("입력하려던 것인가요?"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("클러스터 장애"), "{}", run.stdout);
    assert!(!run.stdout.contains("may not run"), "{}", run.stdout);
}

#[test]
fn the_environment_overrides_the_file() {
    let (bot, _etcd) = bot_with_etcd("ko");
    let run = bot.run_with_env(&["check-config"], &[("OPSBOT__LOCALE", "en")]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("is valid"), "{}", run.stdout);
}
