//! Issue 11, point 6: `helm upgrade` within bounds. Before, `chart` was free text and
//! `--values` any path on the bot's host, so whoever could upgrade one release could install
//! any chart with the bot's credentials and read the bot's files through values. Now the
//! configuration lists, per release, the charts and versions it may become and the one
//! directory values come from; anything else is refused before anyone is asked to approve.
//! helm is a small script that logs its argv and the values it was given.

use opsbot_tests::bot::approval_id;
use std::path::{Path, PathBuf};

use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::fixtures::platform_crds::{HelmRevision, helm_release};
use opsbot_tests::kube::{KubeServer, kubeconfig};

use super::bin;

const POLICY: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[bindings]]
role = "admin"
subjects = ["shell:bob", "shell:alice"]

[[approvals]]
operations = ["helm.upgrade", "helm.rollback"]
approvers = 1
approver_roles = ["admin"]
ttl = "30m"
"#;

/// A bot on `mgmt`, a fake helm, and `[helm]` allowing ingress-nginx 4.x from one chart.
struct Setup {
    server: KubeServer,
    dir: tempfile::TempDir,
    bot: Bot,
}

impl Setup {
    fn new() -> Setup {
        Setup::in_locale("en")
    }

    fn in_locale(locale: &str) -> Setup {
        let server = KubeServer::start();
        let dir = tempfile::tempdir().expect("temp dir");
        let values = dir.path().join("values");
        std::fs::create_dir_all(values.join("prod")).expect("values dir");
        std::fs::write(
            values.join("prod/ingress.yaml"),
            "controller:\n  replicas: 3\n",
        )
        .expect("values");
        std::fs::write(dir.path().join("secret.txt"), "xoxb-the-bot-token\n").expect("secret");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), values.join("link.yaml"))
            .expect("symlink");
        let helm = fake_helm(dir.path());
        let extra = format!(
            "[runners.programs]\nhelm = \"{}\"\n\n[helm]\nvalues_dir = \"{}\"\n\n\
             [[helm.releases]]\ncluster = \"mgmt\"\nnamespace = \"ingress\"\n\
             release = \"ingress-nginx\"\ncharts = [\"ingress-nginx/ingress-nginx\"]\n\
             versions = \">=4.0, <5\"\n",
            helm.display(),
            values.display()
        );
        let bot = Bot::builder(bin())
            .locale(locale)
            .kubeconfig(kubeconfig(&[("mgmt", &server)]))
            .kube("mgmt", "mgmt")
            .extra(&extra)
            .policy(POLICY)
            .build();
        Setup { server, dir, bot }
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("calls.log")).unwrap_or_default()
    }

    fn values_seen(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("values.seen")).unwrap_or_default()
    }

    /// Bob asks: the request is refused with `sentence`, no card is shown, helm never runs.
    fn refused(&self, line: &str, sentence: &str) {
        let run = self.bot.shell("bob", &format!("{line}\n"));
        assert!(run.stdout.contains(sentence), "{}", run.all());
        assert!(!has_card(&run), "no approval is asked: {}", run.stdout);
        assert_eq!(self.calls(), "", "helm never ran");
        let pending = self.bot.shell("alice", "pending\n");
        assert!(
            !pending.stdout.contains("helm upgrade"),
            "nothing pending: {}",
            pending.stdout
        );
    }
}

/// helm that logs its argv to `calls.log` and the values file it got to `values.seen`.
fn fake_helm(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("helm");
    let script = format!(
        "#!/bin/sh\n{{ printf helm; for a in \"$@\"; do printf \" '%s'\" \"$a\"; done; echo; }} >> '{log}'\n\
         prev=; for a in \"$@\"; do [ \"$prev\" = --values ] && cat \"$a\" >> '{seen}'; prev=$a; done\n\
         echo 'Release \"ingress-nginx\" has been upgraded. Happy Helming!'\n",
        log = dir.join("calls.log").display(),
        seen = dir.join("values.seen").display()
    );
    std::fs::write(&path, script).expect("fake helm");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn has_card(run: &Run) -> bool {
    run.stdout.lines().any(|l| l.trim().starts_with("approve "))
}

const UPGRADE: &str = "helm upgrade ingress-nginx ingress-nginx/ingress-nginx -n ingress -c mgmt";

#[test]
fn a_chart_outside_the_allowlist_is_refused_before_approval() {
    let s = Setup::new();
    s.refused(
        "helm upgrade ingress-nginx evil/cluster-admin -n ingress -c mgmt --version 4.1.0",
        "may be upgraded only to the charts the configuration lists (ingress-nginx/ingress-nginx), not to evil/cluster-admin",
    );
}

#[test]
fn the_refusal_is_one_sentence_in_korean_too() {
    let s = Setup::in_locale("ko");
    s.refused(
        "helm upgrade ingress-nginx evil/cluster-admin -n ingress -c mgmt --version 4.1.0",
        "설정에 있는 차트(ingress-nginx/ingress-nginx)로만 업그레이드할 수 있으며 evil/cluster-admin(으)로는 할 수 없습니다",
    );
    s.refused(
        &format!("{UPGRADE} --version 4.1.0 --values ../../etc/passwd"),
        "values 파일을 읽는 유일한 디렉터리",
    );
}

#[test]
fn a_release_the_configuration_does_not_list_is_refused_before_approval() {
    let s = Setup::new();
    s.refused(
        "helm upgrade vault ingress-nginx/ingress-nginx -n ingress -c mgmt --version 4.1.0",
        "is not listed under [[helm.releases]]",
    );
    s.refused(
        "helm rollback vault 3 -n vault -c mgmt",
        "is not listed under [[helm.releases]]",
    );
}

/// A rollback installs the target revision's chart again: a revision of a listed release
/// that holds another chart (installed by hand, or before the bounds) is refused.
#[test]
fn a_rollback_to_a_revision_outside_the_bounds_is_refused_before_approval() {
    let s = Setup::new();
    for (revision, chart) in [
        (1, ("cluster-admin", "1.0.0")),
        (2, ("ingress-nginx", "4.10.0")),
    ] {
        s.server.apply(helm_release(&HelmRevision {
            name: "ingress-nginx",
            namespace: "ingress",
            revision,
            status: "superseded",
            chart,
            app_version: "1.0.0",
            description: "Upgrade complete",
            deployed_days_ago: 3,
            values: serde_json::json!({}),
        }));
    }
    s.refused(
        "helm rollback ingress-nginx 1 -n ingress -c mgmt",
        "is chart cluster-admin-1.0.0, which the configuration does not allow",
    );
    s.refused(
        "helm rollback ingress-nginx 7 -n ingress -c mgmt",
        "has no readable revision 7",
    );
    let asked = s
        .bot
        .shell("bob", "helm rollback ingress-nginx 2 -n ingress -c mgmt\n");
    assert!(has_card(&asked), "{}", asked.all());
}

#[test]
fn a_version_outside_the_range_is_refused_before_approval() {
    let s = Setup::new();
    s.refused(
        &format!("{UPGRADE} --version 5.0.0"),
        "Chart version 5.0.0 is outside >=4.0, <5",
    );
    s.refused(UPGRADE, "name one with --version");
}

#[test]
fn values_from_outside_values_dir_are_refused_before_approval() {
    let s = Setup::new();
    let outside = "is outside";
    s.refused(
        &format!("{UPGRADE} --version 4.1.0 --values ../../etc/passwd"),
        outside,
    );
    s.refused(
        &format!("{UPGRADE} --version 4.1.0 --values /etc/passwd"),
        outside,
    );
    // A symlink inside values_dir that leads to the bot's secrets.
    s.refused(
        &format!("{UPGRADE} --version 4.1.0 --values link.yaml"),
        outside,
    );
    assert!(!s.values_seen().contains("xoxb"), "{}", s.values_seen());
}

#[test]
fn an_upgrade_within_bounds_asks_for_approval_then_runs_with_its_values() {
    let s = Setup::new();
    let asked = s.bot.shell(
        "bob",
        &format!("{UPGRADE} --version 4.11.2 --values prod/ingress.yaml\n"),
    );
    assert!(has_card(&asked), "{}", asked.all());
    assert_eq!(s.calls(), "", "nothing runs before approval");
    let id = approval_id(&asked);
    let run = s.bot.shell("alice", &format!("approve {id}\n"));
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Happy Helming"), "{}", run.all());
    let calls = s.calls();
    for word in [
        "'upgrade' 'ingress-nginx' 'ingress-nginx/ingress-nginx' '--namespace' 'ingress'",
        "'--version' '4.11.2' '--values' '",
        "'--kube-context' 'mgmt' '--wait' '--timeout' '10m'",
    ] {
        assert!(calls.contains(word), "{word}: {calls}");
    }
    assert_eq!(s.values_seen(), "controller:\n  replicas: 3\n");
}

/// The values file is bound to the approval: rewriting it after approval was asked makes
/// the run refuse rather than install values nobody approved.
#[test]
fn values_changed_after_approval_are_refused_and_helm_never_runs() {
    let s = Setup::new();
    let asked = s.bot.shell(
        "bob",
        &format!("{UPGRADE} --version 4.11.2 --values prod/ingress.yaml\n"),
    );
    let id = approval_id(&asked);
    std::fs::write(
        s.dir.path().join("values/prod/ingress.yaml"),
        "controller:\n  image: evil\n",
    )
    .expect("rewrite");
    let run = s.bot.shell("alice", &format!("approve {id}\n"));
    assert!(
        run.stdout
            .contains("changed after the upgrade was approved"),
        "{}",
        run.all()
    );
    assert_eq!(s.calls(), "");
}

#[test]
fn check_config_names_each_bad_helm_row() {
    let s = Setup::new();
    let config = std::fs::read_to_string(s.bot.config()).expect("config");
    let config = format!(
        "{config}\n[[helm.releases]]\ncluster = \"nowhere\"\nnamespace = \"Bad_NS\"\n\
         release = \"web\"\ncharts = []\nversions = \"four-ish\"\n"
    );
    std::fs::write(s.bot.config(), config).expect("write config");
    let run = s.bot.run(&["check-config"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let out = run.all();
    for (key, why) in [
        ("helm.releases[1].cluster", "unknown cluster \"nowhere\""),
        (
            "helm.releases[1].namespace",
            "\"Bad_NS\" is not a namespace name",
        ),
        ("helm.releases[1].charts", "lists no chart"),
        (
            "helm.releases[1].versions",
            "\"four-ish\" is not a version range",
        ),
    ] {
        assert!(
            out.lines().any(|l| l.contains(key) && l.contains(why)),
            "{key}: {why}\n{out}"
        );
    }
}
