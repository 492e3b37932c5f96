//! Issue 11, point 4: the terminal's identity is the operating system's. `opsbot shell` acts
//! as `shell:<OS login name>`; `--as` works only where `shell.impersonation = true`, and then
//! says so on its first line.

use super::bin;
use opsbot_tests::bot::approval_id;
use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::etcd::EtcdServer;

/// The login name of the user running the tests, as the bot will see it.
fn os_user() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// bob and the OS user are admins; a snapshot needs one approval by someone else.
fn policy() -> String {
    format!(
        r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:{}"]

[[approvals]]
operations = ["etcd.snapshot"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
reason = true
"#,
        os_user()
    )
}

fn bot(etcd: &EtcdServer, impersonation: bool) -> Bot {
    Bot::builder(bin())
        .etcd("mgmt", etcd.endpoint())
        .policy(&policy())
        .impersonation(impersonation)
        .build()
}

fn snapshots(bot: &Bot) -> usize {
    std::fs::read_dir(bot.backups("mgmt")).map_or(0, |d| d.count())
}

/// Closes "the terminal is a self-declared identity": on the old code `--as bob` was always
/// accepted, so anyone on the bot host approved as bob.
#[test]
fn as_is_refused_without_impersonation_and_approving_as_another_is_impossible() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, false);
    // The OS user asks; the card waits for someone else.
    let asked = bot.shell_args(&[], "etcd snapshot -c mgmt --reason \"before upgrade\"\n");
    let id = approval_id(&asked);
    assert!(
        asked.stdout.contains(&format!("shell:{}", os_user())),
        "{}",
        asked.all()
    );

    let as_bob = bot.shell("bob", &format!("approve {id}\n"));
    assert_eq!(as_bob.code, 2, "{}", as_bob.all());
    assert!(
        as_bob.stderr.contains("--as bob is refused"),
        "{}",
        as_bob.all()
    );
    assert_eq!(snapshots(&bot), 0, "nothing ran");

    // Without --as the approver is the OS user again, who asked: still refused.
    let own = bot.shell_args(&[], &format!("approve {id}\n"));
    assert!(own.stdout.contains("your own request"), "{}", own.all());
    assert_eq!(snapshots(&bot), 0, "nothing ran");
}

#[test]
fn impersonation_says_so_on_the_first_line() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, true);
    let run = bot.shell("bob", "contacts\n");
    assert_eq!(run.code, 0, "{}", run.all());
    // On stderr, so that stdout stays the results a script reads.
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("Impersonating shell:bob"),
        "first line: {first}\n{}",
        run.all()
    );
    let own = bot.shell_args(&[], "contacts\n");
    assert!(!own.all().contains("Impersonating"), "{}", own.all());
}

/// Whoever starts the shell sets its environment, so `OPSBOT__SHELL__IMPERSONATION=true`
/// must not turn impersonation on where the file leaves it off.
#[test]
fn impersonation_cannot_be_turned_on_from_the_environment() {
    let etcd = EtcdServer::start();
    let bot = bot(&etcd, false);
    let out = std::process::Command::new(bin())
        .args(["shell", "--config"])
        .arg(bot.config())
        .args(["--as", "bob"])
        .env("OPSBOT__SHELL__IMPERSONATION", "true")
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run opsbot shell");
    let run = Run::from(out);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("only in the configuration file"),
        "{}",
        run.all()
    );
    assert!(!run.all().contains("Impersonating"), "{}", run.all());
}
