//! Issue 11, point 9: break-glass for the outage at 3 a.m. On-call types `--break-glass
//! --reason "…"` on `pod delete` (destructive, two approvals normally): it runs with the
//! approvals its `[[break_glass]]` rule asks for, the security-incident contact is paged, every
//! audit record of the run is marked, and it waits in `pending` until someone else reviews
//! it. Nothing else lowers an approval: no rule, no reason, a deny rule — no run.
//!
//! On the code before break-glass, `--break-glass` was an unknown option: every test here that
//! expects a run, a page or a review fails there.

use opsbot_tests::bot::{Bot, Run};
use opsbot_tests::fixtures::platform::pod;
use opsbot_tests::kube::{KubeServer, kubeconfig};
use opsbot_tests::pagers::Receiver;
use serde_json::Value;

use super::bin;

/// olivia is on call (she may delete pods, and break the glass for it); her laptop account is
/// the same person and also an admin; alice and carol are admins; mallory may delete pods but
/// is named by no break-glass rule. Deleting a pod normally needs two admins. Nobody deletes
/// pods on mgmt.
fn policy(glass_approvers: u32) -> String {
    format!(
        r#"
[roles.admin]
operations = ["*"]
approve = ["*"]
[roles.responder]
operations = ["pod.delete", "pod.describe"]

[[people]]
name = "olivia"
subjects = ["shell:olivia", "shell:olivia-laptop"]

[[bindings]]
role = "admin"
subjects = ["shell:alice", "shell:carol", "shell:olivia-laptop"]

[[bindings]]
role = "responder"
subjects = ["shell:olivia", "shell:mallory"]

[[deny]]
subjects = ["*"]
operations = ["pod.delete"]
clusters = ["mgmt"]

[[approvals]]
operations = ["pod.delete"]
approvers = 2
approver_roles = ["admin"]
ttl = "30m"
reason = true

[[break_glass]]
operations = ["pod.delete"]
subjects = ["shell:olivia"]
approvers = {glass_approvers}
"#
    )
}

const SECURITY_KEY: &str = "SECURITY-R0UTING";

struct Outage {
    app1: KubeServer,
    _mgmt: KubeServer,
    pagerduty: Receiver,
    bot: Bot,
}

/// Clusters app1 (with pod web-1 in app) and mgmt, PagerDuty played by a local receiver, and
/// a security-incident contact that pages through it.
fn outage(glass_approvers: u32) -> Outage {
    outage_paging_security(glass_approvers, true)
}

/// [`outage`], with or without the security-incident contact.
fn outage_paging_security(glass_approvers: u32, security_contact: bool) -> Outage {
    let app1 = KubeServer::start();
    let mgmt = KubeServer::start();
    for server in [&app1, &mgmt] {
        server.apply(pod("app", "web-1", "w1", true));
    }
    let pagerduty = Receiver::start();
    let security = if security_contact {
        format!(
            "[[contacts]]\nsituation = \"security-incident\"\nteam = \"Security Team\"\n\
             pagerduty_routing_key = \"{SECURITY_KEY}\"\n"
        )
    } else {
        String::new()
    };
    let bot = Bot::builder(bin())
        .kubeconfig(kubeconfig(&[("app1", &app1), ("mgmt", &mgmt)]))
        .kube("app1", "app1")
        .kube("mgmt", "mgmt")
        .policy(&policy(glass_approvers))
        .paging(&format!(
            "pagerduty_url = \"{}\"\nretry_initial = \"100ms\"\nretry_max = \"400ms\"",
            pagerduty.url()
        ))
        .extra(&security)
        .build();
    Outage {
        app1,
        _mgmt: mgmt,
        pagerduty,
        bot,
    }
}

impl Outage {
    fn shell(&self, who: &str, line: &str) -> Run {
        self.bot.shell(who, &format!("{line}\n"))
    }

    fn pod_exists(&self) -> bool {
        self.app1.get("v1", "Pod", Some("app"), "web-1").is_some()
    }

    /// The pages PagerDuty received for the security team.
    fn security_pages(&self) -> Vec<Value> {
        self.pagerduty
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/enqueue")
            .map(|r| r.json())
            .filter(|e| e["routing_key"] == SECURITY_KEY)
            .collect()
    }

    /// `(kind, detail)` of every audit record of one request, in order.
    fn audit_of(&self, request_id: &str) -> Vec<(String, Value)> {
        use sqlx::Connection;
        let url = format!("sqlite://{}", self.bot.state_db().display());
        let rows: Vec<(String, String)> = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                let mut conn = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("open state db");
                sqlx::query_as(
                    "SELECT kind, detail FROM audit_log WHERE request_id = ? ORDER BY seq",
                )
                .bind(request_id)
                .fetch_all(&mut conn)
                .await
                .expect("query")
            });
        rows.into_iter()
            .map(|(kind, detail)| (kind, serde_json::from_str(&detail).expect("json")))
            .collect()
    }
}

const BREAK: &str =
    "pod delete web-1 -n app -c app1 --break-glass --reason \"site down, approvers asleep\"";

/// The id at the end of the "Glass broken … review ID" notice the requester is shown.
fn review_id(run: &Run) -> String {
    run.stdout
        .lines()
        .find(|l| l.contains("Glass broken"))
        .and_then(|l| l.rsplit("review ").next())
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no review id in:\n{}", run.all()))
}

/// Closes: "nobody can act at 3 a.m." without opening "anyone can act unseen". With zero
/// approvals the run happens at once, security is paged, the run is marked and reviewed.
#[test]
fn on_call_breaks_the_glass_security_is_paged_and_someone_else_reviews_it() {
    let o = outage(0);
    let run = o.shell("olivia", BREAK);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!o.pod_exists(), "the pod was deleted: {}", run.all());
    assert!(run.stdout.contains("Glass broken"), "{}", run.stdout);
    let id = review_id(&run);

    let pages = o.security_pages();
    assert_eq!(pages.len(), 1, "security was paged once: {pages:?}");
    assert_eq!(pages[0]["event_action"], "trigger");
    let summary = pages[0]["payload"]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains("shell:olivia"), "{summary}");
    assert!(summary.contains("site down, approvers asleep"), "{summary}");

    // Every record from the broken glass on says so, with its rule.
    let records = o.audit_of(&id);
    let glass_start = records
        .iter()
        .position(|(_, d)| d["verdict"] == "break-glass")
        .unwrap_or_else(|| panic!("no break-glass decision: {records:?}"));
    for (kind, detail) in &records[glass_start..] {
        assert_eq!(detail["break_glass"], true, "{kind}: {detail}");
        assert!(
            detail["break_glass_rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("break_glass[0]")),
            "{kind}: {detail}"
        );
    }
    assert!(
        records[glass_start..]
            .iter()
            .any(|(k, d)| k == "result" && d["outcome"] == "succeeded"),
        "{records:?}"
    );

    // Awaiting review, in the audit and for the admins and the requester to see.
    let verified = o.bot.run(&["audit", "verify"]);
    assert_eq!(verified.code, 0, "{}", verified.all());
    assert!(
        verified.stdout.contains("await review") && verified.stdout.contains(&id),
        "{}",
        verified.stdout
    );
    let pending = o.shell("alice", "pending");
    assert!(pending.stdout.contains(&id), "{}", pending.stdout);
    assert!(
        pending.stdout.contains("shell:olivia"),
        "{}",
        pending.stdout
    );

    // Not by the requester, from any of her accounts, nor by someone who may not approve.
    let own = o.shell("olivia", &format!("review {id}"));
    assert_ne!(own.code, 0);
    assert!(own.stdout.contains("your own"), "{}", own.all());
    let laptop = o.shell("olivia-laptop", &format!("review {id}"));
    assert!(laptop.stdout.contains("your own"), "{}", laptop.all());
    let stranger = o.shell("mallory", &format!("review {id}"));
    assert!(
        stranger.stdout.contains("may not review"),
        "{}",
        stranger.all()
    );
    assert!(o.shell("carol", "pending").stdout.contains(&id));

    let reviewed = o.shell("alice", &format!("review {id}"));
    assert_eq!(reviewed.code, 0, "{}", reviewed.all());
    assert!(
        reviewed.stdout.contains("reviewed by shell:alice"),
        "{}",
        reviewed.stdout
    );
    assert!(!o.shell("carol", "pending").stdout.contains(&id));
    let again = o.shell("carol", &format!("review {id}"));
    assert!(again.stdout.contains("already reviewed"), "{}", again.all());
    let acknowledged = o.audit_of(&id);
    assert_eq!(acknowledged.len(), records.len(), "the run's records stay");
    let verified = o.bot.run(&["audit", "verify"]);
    assert_eq!(verified.code, 0, "{}", verified.all());
    assert!(!verified.stdout.contains(&id), "{}", verified.stdout);
}

/// Closes: breaking the glass as someone no `[[break_glass]]` rule names.
#[test]
fn someone_not_named_by_a_break_glass_rule_is_refused_and_nothing_runs() {
    let o = outage(0);
    let run = o.shell("mallory", BREAK);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout
            .contains("shell:mallory may not break the glass for pod.delete"),
        "{}",
        run.all()
    );
    assert!(o.pod_exists());
    assert!(o.security_pages().is_empty());
    assert!(!o.shell("alice", "pending").stdout.contains("shell:mallory"));
}

/// Closes: a broken glass nobody hears of. A policy with a `[[break_glass]]` rule and no
/// security-incident contact to page is refused when the configuration loads, so nothing runs.
#[test]
fn a_break_glass_rule_with_nobody_to_page_is_refused_at_load() {
    let o = outage_paging_security(0, false);
    let checked = o.bot.run(&["check-config"]);
    assert_eq!(checked.code, 1, "{}", checked.all());
    assert!(
        checked.all().contains("break_glass[0]"),
        "{}",
        checked.all()
    );
    assert!(
        checked.all().contains("security-incident"),
        "{}",
        checked.all()
    );
    let run = o.shell("olivia", BREAK);
    assert_ne!(run.code, 0);
    assert!(o.pod_exists());
}

/// Closes: a broken glass without a word of why.
#[test]
fn breaking_the_glass_without_a_reason_is_refused() {
    let o = outage(0);
    let run = o.shell("olivia", "pod delete web-1 -n app -c app1 --break-glass");
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("needs a reason"), "{}", run.all());
    assert!(o.pod_exists());
    assert!(o.security_pages().is_empty());
}

/// Closes: the glass as a way around a deny rule. Break-glass lowers approvals only.
#[test]
fn a_deny_rule_still_wins_over_a_broken_glass() {
    let o = outage(0);
    let run = o.shell(
        "olivia",
        "pod delete web-1 -n app -c mgmt --break-glass --reason \"mgmt is down\"",
    );
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("deny[0]"), "{}", run.all());
    assert!(o.security_pages().is_empty());
}

/// Without `--break-glass` the same person waits for the usual two approvals.
#[test]
fn without_the_flag_the_usual_approvals_apply() {
    let o = outage(0);
    let run = o.shell(
        "olivia",
        "pod delete web-1 -n app -c app1 --reason \"site down\"",
    );
    assert!(
        run.stdout.contains("waits for approval (0 of 2"),
        "{}",
        run.all()
    );
    assert!(o.pod_exists());
    assert!(o.security_pages().is_empty());
}

/// A rule that still asks for one approval: the request waits for one person (not the two
/// of the approval rule), security is paged at once, and the approved run is marked.
#[test]
fn a_break_glass_rule_with_approvers_waits_for_that_many() {
    let o = outage(1);
    let asked = o.shell("olivia", BREAK);
    assert!(
        asked.stdout.contains("waits for approval (0 of 1"),
        "{}",
        asked.all()
    );
    assert!(o.pod_exists(), "nothing runs before the approval");
    assert_eq!(o.security_pages().len(), 1, "paged when the glass broke");
    let id = review_id(&asked);
    let early = o.shell("carol", &format!("review {id}"));
    assert!(early.stdout.contains("has not run yet"), "{}", early.all());

    let approved = o.shell("alice", &format!("approve {id}"));
    assert_eq!(approved.code, 0, "{}", approved.all());
    assert!(!o.pod_exists(), "{}", approved.all());
    let run: Vec<(String, Value)> = o
        .audit_of(&id)
        .into_iter()
        .filter(|(k, _)| k == "step" || k == "result")
        .collect();
    assert!(!run.is_empty());
    assert!(run.iter().all(|(_, d)| d["break_glass"] == true), "{run:?}");
    assert!(o.shell("carol", "pending").stdout.contains(&id));
    let reviewed = o.shell("carol", &format!("review {id}"));
    assert_eq!(reviewed.code, 0, "{}", reviewed.all());
}
