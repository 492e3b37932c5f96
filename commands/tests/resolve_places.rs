//! Issue 11, points 2 and 3: what `resolve` says a request touches, which is what the policy
//! judges. Each test names the attack it proves closed.

use commands::{
    ClusterSettings, Command, Namespaces, ParseError, Request, Settings, parse, places, resolve,
};

fn settings(clusters: &[&str]) -> Settings {
    Settings {
        clusters: clusters
            .iter()
            .map(|c| (c.to_string(), ClusterSettings::default()))
            .collect(),
        ..Settings::default()
    }
}

fn request(line: &str) -> Result<Request, ParseError> {
    let Command::Run(invocation) = parse(line)? else {
        panic!("{line} is help");
    };
    resolve(invocation, &settings(&["prod", "stage"]))
}

/// Attack: `pod delete … -c all` was accepted and acted on the first cluster while judged on
/// the last one's (weaker) approval rule. A single-cluster form refuses `all` and lists.
#[test]
fn a_single_cluster_form_refuses_all_and_lists() {
    for line in [
        "pod delete web-7d9f-abcde -n app -c all --reason x",
        "pod delete web-7d9f-abcde -n app -c prod,stage --reason x",
        "etcd snapshot -c all",
        "velero restore nightly -c prod,stage",
    ] {
        let refused = request(line).expect_err(line);
        assert!(
            matches!(refused, ParseError::OneClusterOnly { .. }),
            "{line}: {refused:?}"
        );
        assert_eq!(refused.message().id, "parse-one-cluster-only");
    }
}

/// A form that acts on several clusters takes `all` and a list, each cluster known.
#[test]
fn a_multi_cluster_form_takes_all_and_lists_of_known_clusters() {
    let all = request("status -c all").expect("all");
    assert_eq!(all.clusters, ["prod", "stage"]);
    let listed = request("status -c stage,prod,stage").expect("list");
    assert_eq!(listed.clusters, ["prod", "stage"]);
    let unknown = request("status -c prod,nope").expect_err("unknown");
    assert!(matches!(unknown, ParseError::UnknownCluster { ref name, .. } if name == "nope"));
}

/// Attack: `velero restore/backup --namespaces` was judged with no namespace at all, so a team
/// bound to one namespace restored `kube-system`. Each listed namespace is now a place.
#[test]
fn velero_namespace_lists_are_each_judged_and_no_list_means_every_namespace() {
    let restore =
        request("velero restore nightly --namespaces team-a,kube-system -c prod").expect("restore");
    assert_eq!(
        restore.namespaces,
        Namespaces::Many(vec!["kube-system".into(), "team-a".into()])
    );
    let whole = request("velero restore nightly -c prod").expect("restore all");
    assert_eq!(whole.namespaces, Namespaces::All);
    let backup = request("velero backup create --namespaces app -c prod").expect("backup");
    assert_eq!(backup.namespaces, Namespaces::Many(vec!["app".into()]));
    let full = request("velero backup create --all -c prod").expect("full backup");
    assert_eq!(full.namespaces, Namespaces::All);
    let schedule =
        request("velero schedule create nightly --cron \"0 2 * * *\" -c prod").expect("schedule");
    assert_eq!(schedule.namespaces, Namespaces::All);
}

/// Attack: `get nodes -n app` passed a binding limited to namespace `app`. A cluster-scoped
/// kind is in no namespace, whatever `-n` says.
#[test]
fn reads_of_cluster_scoped_kinds_are_in_no_namespace() {
    for line in [
        "get nodes -n app -c prod",
        "get clusterroles -c prod",
        "get pv -n app -c prod",
        "yaml clusterrole/admin -n app -c prod",
        "yaml node/prod-w1 -c prod",
    ] {
        assert_eq!(
            request(line).expect(line).namespaces,
            Namespaces::NotApplicable,
            "{line}"
        );
    }
    assert_eq!(
        request("get pods -n app -c prod").expect("pods").namespaces,
        Namespaces::One("app".into())
    );
}

/// The card shows what the stored request touches, read back from its canonical text.
#[test]
fn the_canonical_request_names_every_place_and_reads_back() {
    let all = request("status -c all").expect("all");
    assert_eq!(
        places(&all.canonical()),
        Some((
            vec!["prod".into(), "stage".into()],
            Namespaces::NotApplicable
        ))
    );
    let restore = request("velero restore nightly --namespaces b,a -c prod").expect("restore");
    assert_eq!(
        places(&restore.canonical()),
        Some((
            vec!["prod".into()],
            Namespaces::Many(vec!["a".into(), "b".into()])
        ))
    );
    let page = request("page cluster-failure everything @ is down").expect_err("no contacts");
    assert!(matches!(page, ParseError::UnknownSituation { .. }));
}

/// A page may say which cluster it is about; without `-c` it is about none (and whoever acts
/// on its incident needs a right over every cluster).
#[test]
fn a_page_names_its_cluster_or_none() {
    let mut with_contacts = settings(&["prod", "stage"]);
    with_contacts.contacts = vec![
        serde_json::from_value(serde_json::json!({
            "situation": "cluster-failure",
            "team": "Platform",
        }))
        .expect("contact"),
    ];
    let resolve_page = |line: &str| {
        let Ok(Command::Run(invocation)) = parse(line) else {
            panic!("{line}")
        };
        resolve(invocation, &with_contacts).expect(line)
    };
    assert!(
        resolve_page("page cluster-failure db down")
            .clusters
            .is_empty()
    );
    assert_eq!(
        resolve_page("page cluster-failure -c prod db down").clusters,
        ["prod"]
    );
}
