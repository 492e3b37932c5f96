//! Property (issue 11): no sequence of votes by fewer than N people reaches N approvals,
//! whichever accounts they vote from. Votes go through the store as the engine casts them
//! (as `Policy::person`), and are counted as the engine counts them (`approving_people`).

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::store::Store;

/// Six accounts, four people: bob and carol have two accounts each.
const ACCOUNTS: [&str; 6] = [
    "slack:U0BOB",
    "discord:8035",
    "slack:U0CAROL",
    "shell:carol",
    "shell:alice",
    "shell:dave",
];

const PEOPLE: &str = r#"
[roles.admin]
operations = ["*"]
approve = ["*"]

[[people]]
name = "bob"
subjects = ["slack:U0BOB", "discord:8035"]

[[people]]
name = "carol"
subjects = ["slack:U0CAROL", "shell:carol"]

[[bindings]]
role = "admin"
subjects = ["*"]
"#;

fn request(requester: &str, needed: u32) -> NewApproval {
    NewApproval {
        id: "p1".into(),
        hash: "h1".into(),
        line: "etcd snapshot -c mgmt".into(),
        operation: "etcd.snapshot".into(),
        canonical: "etcd snapshot clusters=mgmt".into(),
        requester: requester.into(),
        requester_groups: vec![],
        reason: None,
        approvers_needed: needed,
        pins: Default::default(),
        approver_roles: vec!["admin".into()],
        created_at: 100,
        expires_at: 1900,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn fewer_than_n_people_never_reach_n_approvals(
        requester in 0..ACCOUNTS.len(),
        needed in 1u32..=4,
        votes in proptest::collection::vec(0..ACCOUNTS.len(), 0..14),
    ) {
        let policy = policies::Policy::from_toml(PEOPLE).expect("policy");
        let requester = ACCOUNTS[requester];
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (counted, people) = runtime.block_on(async {
            let dir = tempfile::tempdir().expect("dir");
            let store = SqliteStore::open(&dir.path().join("state.db"))
                .await
                .expect("open");
            store.create_approval(&request(requester, needed)).await.expect("create");
            let mut people = BTreeSet::new();
            let mut counted = 0usize;
            for (at, &voter) in votes.iter().enumerate() {
                let account = ACCOUNTS[voter];
                let person = policy.person(account);
                let answer = store
                    .record_vote("p1", account, &person, "h1", at as i64)
                    .await
                    .expect("vote");
                match answer {
                    VoteResult::Recorded { approvers } => {
                        assert!(people.insert(person), "a person voted twice: {account}");
                        counted = policy
                            .approving_people(requester, approvers.iter().map(String::as_str))
                            .len();
                    }
                    VoteResult::Duplicate => {
                        assert!(people.contains(&person), "{account} refused without a vote");
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            people.remove(&policy.person(requester));
            (counted, people.len())
        });
        prop_assert_eq!(counted, people);
        if (counted as u32) >= needed {
            prop_assert!(people as u32 >= needed);
        }
    }
}
