//! Each pager against its local receiver.
//!
//! The pagers are built by `from_config`, as `opsbot serve` builds them, pointed at a
//! [`Receiver`] (PagerDuty, Opsgenie, webhook) or an [`SmtpSink`]; what they sent is read back
//! from the receiver's record.

use std::sync::Arc;
use std::time::Duration;

use commands::incidents::Severity;
use commands::{Contact, Secret};
use opsbot::config::PagingSection;
use opsbot::paging::pagers::{PagerSetupError, from_config, from_config_with};
use opsbot::paging::text::Redactor;
use opsbot::paging::{Page, PageAction, Pager, SendError};
use opsbot_tests::pagers::{Receiver, Reply};
use opsbot_tests::smtp::SmtpSink;
use serde_json::{Value, json};

const ROUTING_KEY: &str = "R0UTINGKEY0123456789abcdef012345";
const GENIE_KEY: &str = "5f2c1b9e-7d3a-4c2b-9e1f-0a1b2c3d4e5f";
const SMTP_PASSWORD: &str = "sm7p-Pa55word";

#[tokio::test]
async fn pagerduty_trigger_carries_routing_key_action_dedup_and_payload() {
    let receiver = Receiver::start();
    let contact = contact(json!({"pagerduty_routing_key": ROUTING_KEY}));
    let pager = only(&paging_for(&receiver), &contact, "pagerduty");

    pager
        .send(&contact, &page(PageAction::Trigger))
        .await
        .expect("202 is delivered");

    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v2/enqueue");
    let event = request.json();
    assert_eq!(event["routing_key"], ROUTING_KEY);
    assert_eq!(event["event_action"], "trigger");
    assert_eq!(event["dedup_key"], "cluster-failure/app1/node/w1");
    assert_eq!(event["payload"]["summary"], "노드 w1 NotReady");
    assert_eq!(event["payload"]["source"], "app1");
    assert_eq!(event["payload"]["severity"], "critical");
    let custom = &event["payload"]["custom_details"];
    assert_eq!(custom["node"], "w1");
    assert_eq!(custom["situation"], "cluster-failure");
    assert_eq!(custom["team"], "Platform Team");
    assert_eq!(custom["incident"], "inc-7");
}

#[tokio::test]
async fn pagerduty_acknowledge_and_resolve_send_the_same_keys_and_no_payload() {
    let receiver = Receiver::start();
    let contact = contact(json!({"pagerduty_routing_key": ROUTING_KEY}));
    let pager = only(&paging_for(&receiver), &contact, "pagerduty");

    for action in [PageAction::Acknowledge, PageAction::Resolve] {
        pager
            .send(&contact, &page(action))
            .await
            .expect("delivered");
    }

    let events: Vec<Value> = receiver.requests().iter().map(|r| r.json()).collect();
    assert_eq!(events.len(), 2);
    for (event, action) in events.iter().zip(["acknowledge", "resolve"]) {
        assert_eq!(event["event_action"], action);
        assert_eq!(event["routing_key"], ROUTING_KEY);
        assert_eq!(event["dedup_key"], "cluster-failure/app1/node/w1");
        assert!(event.get("payload").is_none(), "{event}");
    }
}

#[tokio::test]
async fn pagerduty_answers_map_to_delivered_retry_and_permanent() {
    let receiver = Receiver::start();
    receiver.respond_with([
        Reply::status(500),
        Reply::status(429).header("Retry-After", "7"),
        Reply::status(400)
            .body(r#"{"status":"invalid event","message":"Event object is invalid"}"#),
        Reply::status(202),
    ]);
    let contact = contact(json!({"pagerduty_routing_key": ROUTING_KEY}));
    let pager = only(&paging_for(&receiver), &contact, "pagerduty");
    let page = page(PageAction::Trigger);

    assert!(matches!(
        pager.send(&contact, &page).await,
        Err(SendError::Retry { after: None, .. })
    ));
    assert!(matches!(
        pager.send(&contact, &page).await,
        Err(SendError::Retry { after: Some(after), .. }) if after == Duration::from_secs(7)
    ));
    match pager.send(&contact, &page).await {
        // The provider's own words are kept.
        Err(SendError::Permanent { reason }) => {
            assert!(reason.contains("Event object is invalid"), "{reason}")
        }
        other => panic!("400 must be permanent, got {other:?}"),
    }
    assert_eq!(pager.send(&contact, &page).await, Ok(()));
    assert_eq!(receiver.requests().len(), 4);
}

#[tokio::test]
async fn a_receiver_answering_500_then_202_gets_the_page_once_delivered() {
    let receiver = Receiver::start();
    receiver.respond_with([500, 202]);
    let contact = contact(json!({"webhook": format!("{}/hooks/platform", receiver.url())}));
    let pager = only(&paging_for(&receiver), &contact, "webhook");
    let page = page(PageAction::Trigger);

    assert!(matches!(
        pager.send(&contact, &page).await,
        Err(SendError::Retry { .. })
    ));
    assert_eq!(pager.send(&contact, &page).await, Ok(()));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry sends the same page"
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_retried() {
    let mut receiver = Receiver::start();
    let contact = contact(json!({"pagerduty_routing_key": ROUTING_KEY}));
    let pager = only(&paging_for(&receiver), &contact, "pagerduty");
    receiver.stop();

    match pager.send(&contact, &page(PageAction::Trigger)).await {
        Err(SendError::Retry { reason, .. }) => {
            assert!(reason.contains("PagerDuty"), "{reason}");
            assert!(!reason.contains(ROUTING_KEY), "{reason}");
        }
        other => panic!("a refused connection must be retried, got {other:?}"),
    }
}

#[tokio::test]
async fn opsgenie_creates_an_alert_for_the_team_with_the_genie_key() {
    let receiver = Receiver::start();
    let contact = contact(json!({"opsgenie_team": "platform"}));
    let pager = only(&paging_for(&receiver), &contact, "opsgenie");

    pager
        .send(&contact, &page(PageAction::Trigger))
        .await
        .expect("202 is delivered");

    let request = &receiver.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v2/alerts");
    assert_eq!(
        request.header("authorization"),
        Some(format!("GenieKey {GENIE_KEY}").as_str())
    );
    let alert = request.json();
    assert_eq!(alert["message"], "노드 w1 NotReady");
    assert_eq!(alert["alias"], "cluster-failure/app1/node/w1");
    assert_eq!(
        alert["responders"],
        json!([{"name": "platform", "type": "team"}])
    );
    assert_eq!(alert["priority"], "P1");
    assert_eq!(alert["source"], "app1");
    assert_eq!(alert["details"]["node"], "w1");
    assert!(
        alert["description"]
            .as_str()
            .is_some_and(|d| d.contains("노드 w1 NotReady") && d.contains("node: w1")),
        "{alert}"
    );
}

#[tokio::test]
async fn opsgenie_acknowledges_and_closes_by_url_encoded_alias() {
    let receiver = Receiver::start();
    let contact = contact(json!({"opsgenie_team": "platform"}));
    let pager = only(&paging_for(&receiver), &contact, "opsgenie");
    let mut page = page(PageAction::Acknowledge);
    page.dedup_key = "cluster-failure/app1 node?w1".into();

    pager.send(&contact, &page).await.expect("acknowledged");
    page.action = PageAction::Resolve;
    pager.send(&contact, &page).await.expect("closed");

    let requests = receiver.requests();
    assert_eq!(
        requests[0].path,
        "/v2/alerts/cluster-failure%2Fapp1%20node%3Fw1/acknowledge"
    );
    assert_eq!(
        requests[1].path,
        "/v2/alerts/cluster-failure%2Fapp1%20node%3Fw1/close"
    );
    for request in &requests {
        assert_eq!(request.query.as_deref(), Some("identifierType=alias"));
        assert_eq!(
            request.header("authorization"),
            Some(format!("GenieKey {GENIE_KEY}").as_str())
        );
        assert_eq!(request.json()["user"], "slack:U0BOB");
    }
}

#[tokio::test]
async fn webhook_gets_the_documented_version_1_body() {
    let receiver = Receiver::start();
    let contact = contact(json!({"webhook": format!("{}/hooks/platform", receiver.url())}));
    let pager = only(&paging_for(&receiver), &contact, "webhook");

    pager
        .send(&contact, &page(PageAction::Resolve))
        .await
        .expect("delivered");

    let request = &receiver.requests()[0];
    assert_eq!(request.path, "/hooks/platform");
    assert_eq!(
        request.json(),
        json!({
            "version": 1,
            "action": "resolve",
            "dedup_key": "cluster-failure/app1/node/w1",
            "incident": "inc-7",
            "situation": "cluster-failure",
            "team": "Platform Team",
            "severity": "critical",
            "summary": "노드 w1 NotReady",
            "source": "app1",
            "details": {"node": "w1"},
            "by": "slack:U0BOB",
            "opened_at": 1_764_131_072,
        })
    );
}

#[tokio::test]
async fn texts_are_cut_to_each_providers_limits() {
    let receiver = Receiver::start();
    let contact = contact(json!({
        "pagerduty_routing_key": ROUTING_KEY,
        "opsgenie_team": "platform",
        "webhook": format!("{}/hook", receiver.url()),
    }));
    let pagers = from_config(
        Some(&paging(&receiver, None)),
        std::slice::from_ref(&contact),
    )
    .expect("pagers");
    let mut page = page(PageAction::Trigger);
    page.summary = "클러스터 장애".repeat(1000).chars().take(5000).collect();
    page.details = vec![("log".into(), "가".repeat(20_000))];

    for pager in &pagers {
        pager.send(&contact, &page).await.expect("delivered");
    }

    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for request in receiver.requests() {
        let body = request.json();
        match request.path.as_str() {
            "/v2/enqueue" => {
                assert_eq!(chars(&body["payload"]["summary"]), 1024);
                assert!(chars(&body["payload"]["custom_details"]["log"]) <= 4096);
            }
            "/v2/alerts" => {
                assert_eq!(chars(&body["message"]), 130);
                assert!(body["message"].as_str().is_some_and(|m| m.ends_with('…')));
                assert!(chars(&body["description"]) <= 15000);
                let details_len: usize = body["details"]
                    .as_object()
                    .map(|d| d.iter().map(|(k, v)| k.chars().count() + chars(v)).sum())
                    .unwrap_or(usize::MAX);
                assert!(details_len <= 8000, "{details_len}");
            }
            "/hook" => assert_eq!(chars(&body["summary"]), 4000),
            other => panic!("unexpected request to {other}"),
        }
    }
    assert_eq!(receiver.requests().len(), 3);
}

#[tokio::test]
async fn no_configured_secret_reaches_any_text() {
    let receiver = Receiver::start();
    let sink = SmtpSink::start();
    let contact = contact(json!({
        "pagerduty_routing_key": ROUTING_KEY,
        "opsgenie_team": "platform",
        "webhook": format!("{}/hook", receiver.url()),
        "email": ["platform-oncall@example.com"],
    }));
    let smtp_url = format!("smtp://opsbot:{SMTP_PASSWORD}@127.0.0.1:{}", sink.port());
    let pagers = from_config(
        Some(&paging(&receiver, Some(&smtp_url))),
        std::slice::from_ref(&contact),
    )
    .expect("pagers");
    let mut page = page(PageAction::Trigger);
    page.summary = format!("routing key {ROUTING_KEY} leaked, token xoxb-12-34-abcdef");
    page.source = format!("app1 {GENIE_KEY}");
    page.details = vec![
        ("opsgenie".into(), format!("GenieKey {GENIE_KEY}")),
        ("smtp".into(), format!("password {SMTP_PASSWORD}")),
        (
            "auth".into(),
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x".into(),
        ),
    ];

    for pager in pagers.iter().filter(|p| p.target() != "email") {
        pager.send(&contact, &page).await.expect("delivered");
    }

    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let body = request.json();
        let mut texts = vec![];
        collect_strings(&body, &mut texts);
        // The PagerDuty routing key travels once, as `routing_key`; nowhere else.
        let texts: Vec<&String> = texts.iter().filter(|t| *t != ROUTING_KEY).collect();
        for text in &texts {
            for secret in [ROUTING_KEY, GENIE_KEY, SMTP_PASSWORD, "xoxb-12", "eyJhbGci"] {
                assert!(!text.contains(secret), "{} leaks in {text:?}", request.path);
            }
        }
        assert!(
            texts
                .iter()
                .any(|t| t.contains("routing key *** leaked, token ***")),
            "{}: {body}",
            request.path
        );
    }

    let email = pagers
        .iter()
        .find(|p| p.target() == "email")
        .expect("email pager");
    email.send(&contact, &page).await.expect("accepted");
    let mail = &sink.messages()[0];
    for secret in [ROUTING_KEY, GENIE_KEY, SMTP_PASSWORD, "xoxb-12", "eyJhbGci"] {
        assert!(
            !mail.data.contains(secret),
            "the email leaks: {}",
            mail.data
        );
    }
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("[opsbot] TRIGGER cluster-failure: routing key *** leaked, token ***")
    );
}

#[tokio::test]
async fn secrets_the_caller_adds_are_masked_too() {
    let receiver = Receiver::start();
    let contact = contact(json!({"webhook": format!("{}/hook", receiver.url())}));
    let extra = Redactor::new().with("slack-signing-secret-8f74");
    let pagers = from_config_with(
        Some(&paging_for(&receiver)),
        std::slice::from_ref(&contact),
        &extra,
    )
    .expect("pagers");
    let mut page = page(PageAction::Trigger);
    page.summary = "secret slack-signing-secret-8f74 in a log line".into();

    pagers[0].send(&contact, &page).await.expect("delivered");
    assert_eq!(
        receiver.requests()[0].json()["summary"],
        "secret *** in a log line"
    );
}

#[tokio::test]
async fn email_logs_in_with_the_credentials_in_the_url() {
    let sink = SmtpSink::start();
    let contact = contact(json!({"email": ["oncall@example.com"]}));
    // `%40` is `@`: the password is percent-decoded before it is sent.
    let url = format!(
        "smtp://ops%20bot:p%40ss-{SMTP_PASSWORD}@127.0.0.1:{}",
        sink.port()
    );
    let pagers = from_config(
        Some(&paging_with_smtp(&url)),
        std::slice::from_ref(&contact),
    )
    .expect("pagers");
    let pager = only_of(&pagers, &contact, "email");

    pager
        .send(&contact, &page(PageAction::Trigger))
        .await
        .expect("accepted");
    assert_eq!(
        sink.messages()[0].login,
        Some(("ops bot".to_string(), format!("p@ss-{SMTP_PASSWORD}")))
    );

    sink.reject_auth(Some((535, "5.7.8 authentication failed")));
    match pager.send(&contact, &page(PageAction::Resolve)).await {
        Err(SendError::Permanent { reason }) => {
            assert!(reason.contains("authentication failed"), "{reason}");
            assert!(!reason.contains(SMTP_PASSWORD), "{reason}");
        }
        other => panic!("535 must be permanent, got {other:?}"),
    }
}

#[tokio::test]
async fn email_arrives_with_the_recipients_and_subject() {
    let sink = SmtpSink::start();
    let contact = contact(json!({"email": ["oncall@example.com", "lead@example.com"]}));
    let pagers = from_config(
        Some(&paging_with_smtp(&sink.url())),
        std::slice::from_ref(&contact),
    )
    .expect("pagers");
    let pager = only_of(&pagers, &contact, "email");
    assert!(pager.takes(PageAction::Trigger) && pager.takes(PageAction::Resolve));
    assert!(!pager.takes(PageAction::Acknowledge));
    let mut page = page(PageAction::Trigger);
    // The second line starts with a dot: SMTP doubles it on the wire, the sink undoes that.
    page.summary = "node w1 NotReady\n.kubelet stopped".into();

    pager.send(&contact, &page).await.expect("accepted");
    page.action = PageAction::Resolve;
    pager.send(&contact, &page).await.expect("accepted");

    let mails = sink.messages();
    assert_eq!(mails.len(), 2);
    let trigger = &mails[0];
    assert_eq!(trigger.from, "opsbot@example.com");
    assert_eq!(trigger.to, ["oncall@example.com", "lead@example.com"]);
    assert_eq!(
        trigger.header("Subject").as_deref(),
        Some("[opsbot] TRIGGER cluster-failure: node w1 NotReady .kubelet stopped")
    );
    assert!(trigger.body().contains("inc-7"), "{}", trigger.data);
    assert!(
        trigger.body().contains("\r\n.kubelet stopped\r\n"),
        "{}",
        trigger.data
    );
    assert_eq!(
        mails[1].header("Subject").as_deref(),
        Some("[opsbot] RESOLVE cluster-failure: node w1 NotReady .kubelet stopped")
    );
    // The resolve answers the trigger, so they read as one thread.
    assert_eq!(mails[1].header("In-Reply-To"), trigger.header("Message-ID"));
}

#[tokio::test]
async fn email_to_a_refused_recipient_is_permanent_and_a_busy_server_is_retried() {
    let sink = SmtpSink::start();
    let contact = contact(json!({"email": ["nobody@example.com"]}));
    let pagers = from_config(
        Some(&paging_with_smtp(&sink.url())),
        std::slice::from_ref(&contact),
    )
    .expect("pagers");
    let pager = only_of(&pagers, &contact, "email");
    let page = page(PageAction::Trigger);

    sink.reject_rcpt(Some((550, "5.1.1 no such user")));
    match pager.send(&contact, &page).await {
        Err(SendError::Permanent { reason }) => {
            assert!(reason.contains("no such user"), "{reason}")
        }
        other => panic!("550 must be permanent, got {other:?}"),
    }

    sink.reject_rcpt(Some((451, "4.3.0 try again later")));
    assert!(matches!(
        pager.send(&contact, &page).await,
        Err(SendError::Retry { .. })
    ));

    sink.reject_rcpt(None);
    sink.reject_data(Some((452, "4.3.1 insufficient storage")));
    assert!(matches!(
        pager.send(&contact, &page).await,
        Err(SendError::Retry { .. })
    ));
    assert!(sink.messages().is_empty());
}

#[test]
fn only_the_pagers_some_contact_uses_are_built() {
    let contacts = vec![
        contact(json!({"pagerduty_routing_key": ROUTING_KEY})),
        contact(json!({"webhook": "https://hooks.example.com/x"})),
    ];
    let pagers = from_config(None, &contacts).expect("pagers");
    let targets: Vec<&str> = pagers.iter().map(|p| p.target()).collect();
    assert_eq!(targets, ["pagerduty", "webhook"]);
    assert!(pagers[0].reaches(&contacts[0]) && !pagers[0].reaches(&contacts[1]));
}

#[test]
fn a_missing_paging_key_is_named() {
    let emailer = vec![contact(json!({"email": ["a@example.com"]}))];
    let no_from = PagingSection {
        smtp_url: Some("smtp://127.0.0.1:25".into()),
        ..PagingSection::default()
    };
    assert_eq!(
        setup_error(from_config(Some(&no_from), &emailer)),
        PagerSetupError::MissingKey {
            situation: "cluster-failure".into(),
            target: "email",
            key: "email_from",
        }
    );
    assert_eq!(
        setup_error(from_config(None, &emailer)).to_string(),
        "contact `cluster-failure` uses email, but `paging.smtp_url` is not set"
    );

    let genie = vec![contact(json!({"opsgenie_team": "platform"}))];
    assert!(matches!(
        setup_error(from_config(None, &genie)),
        PagerSetupError::MissingKey {
            key: "opsgenie_api_key",
            ..
        }
    ));
}

#[test]
fn a_setup_error_never_shows_the_smtp_password() {
    let emailer = vec![contact(json!({"email": ["a@example.com"]}))];
    let section = PagingSection {
        smtp_url: Some(format!("ftp://bot:{SMTP_PASSWORD}@mail.example.com")),
        email_from: Some("opsbot@example.com".into()),
        ..PagingSection::default()
    };
    let error = setup_error(from_config(Some(&section), &emailer));
    assert!(
        matches!(error, PagerSetupError::BadSmtpUrl { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains(SMTP_PASSWORD), "{error}");
}

// ---- test setup -------------------------------------------------------------------------

fn contact(pagers: Value) -> Contact {
    let mut row = json!({"situation": "cluster-failure", "team": "Platform Team"});
    if let (Some(row), Some(pagers)) = (row.as_object_mut(), pagers.as_object()) {
        row.extend(pagers.clone());
    }
    serde_json::from_value(row).expect("a contact row")
}

fn page(action: PageAction) -> Page {
    Page {
        action,
        dedup_key: "cluster-failure/app1/node/w1".into(),
        incident: "inc-7".into(),
        situation: "cluster-failure".into(),
        team: "Platform Team".into(),
        severity: Severity::Critical,
        summary: "노드 w1 NotReady".into(),
        source: "app1".into(),
        details: vec![("node".into(), "w1".into())],
        by: Some("slack:U0BOB".into()),
        opened_at: 1_764_131_072,
    }
}

/// Every HTTP provider at `receiver`, with the Opsgenie key; SMTP when given.
fn paging(receiver: &Receiver, smtp_url: Option<&str>) -> PagingSection {
    PagingSection {
        pagerduty_url: Some(receiver.url()),
        opsgenie_url: Some(receiver.url()),
        opsgenie_api_key: Some(Secret::new(GENIE_KEY)),
        smtp_url: smtp_url.map(str::to_string),
        email_from: Some("opsbot@example.com".into()),
        ..PagingSection::default()
    }
}

fn paging_with_smtp(smtp_url: &str) -> PagingSection {
    PagingSection {
        smtp_url: Some(smtp_url.into()),
        email_from: Some("opsbot@example.com".into()),
        ..PagingSection::default()
    }
}

fn paging_for(receiver: &Receiver) -> PagingSection {
    paging(receiver, None)
}

/// The one pager of `target` that `from_config` built for `contact`.
fn only(section: &PagingSection, contact: &Contact, target: &str) -> Arc<dyn Pager> {
    only_of(
        &from_config(Some(section), std::slice::from_ref(contact)).expect("pagers"),
        contact,
        target,
    )
}

fn only_of(pagers: &[Arc<dyn Pager>], contact: &Contact, target: &str) -> Arc<dyn Pager> {
    let pager = pagers
        .iter()
        .find(|p| p.target() == target)
        .unwrap_or_else(|| panic!("no {target} pager"))
        .clone();
    assert!(pager.reaches(contact));
    pager
}

fn setup_error(result: Result<Vec<Arc<dyn Pager>>, PagerSetupError>) -> PagerSetupError {
    match result {
        Ok(pagers) => panic!(
            "expected a setup error, got {:?}",
            pagers.iter().map(|p| p.target()).collect::<Vec<_>>()
        ),
        Err(error) => error,
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}
