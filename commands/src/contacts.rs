//! contacts: runbook §6.4, risk read. The emergency contacts table, from the configuration.

use async_trait::async_trait;

use crate::{
    Block, Cell, Form, Message, OpError, Operation, Request, Risk, RunContext, Scope, Spec, Step,
    Table, msg,
};

pub static SPEC: Spec = Spec {
    id: "contacts",
    section: "6.4",
    risk: Risk::Read,
    scope: Scope::Global,
    forms: &[Form {
        words: &["contacts"],
        args: &[],
    }],
};

pub struct Contacts;

impl Operation for Contacts {
    fn spec(&self) -> &'static Spec {
        &SPEC
    }
    fn steps(&self, _request: &Request) -> Result<Vec<Box<dyn Step>>, OpError> {
        Ok(vec![Box::new(ListContacts)])
    }
}

/// Reads the table. Credentials (routing keys) are never shown, only that they are set.
struct ListContacts;

#[async_trait]
impl Step for ListContacts {
    fn plan(&self) -> Message {
        msg!("contacts-plan")
    }

    async fn run(&self, cx: &mut RunContext<'_>) -> Result<(), OpError> {
        if cx.settings.contacts.is_empty() {
            cx.report.push(Block::Note(msg!("contacts-empty")));
            return Ok(());
        }
        let mut table = Table::new(vec![
            msg!("contacts-col-situation"),
            msg!("contacts-col-team"),
            msg!("contacts-col-chat"),
            msg!("contacts-col-pagers"),
        ]);
        for contact in &cx.settings.contacts {
            let chat: Vec<String> = contact
                .slack_mentions
                .iter()
                .map(|g| format!("slack:{g}"))
                .chain(
                    contact
                        .discord_mentions
                        .iter()
                        .map(|r| format!("discord:{r}")),
                )
                .collect();
            let mut pagers = Vec::new();
            if contact
                .pagerduty_routing_key
                .as_ref()
                .is_some_and(|k| !k.is_empty())
            {
                pagers.push("PagerDuty".to_string());
            }
            if let Some(team) = &contact.opsgenie_team {
                pagers.push(format!("Opsgenie ({team})"));
            }
            if contact.webhook.is_some() {
                pagers.push("webhook".to_string());
            }
            pagers.extend(contact.email.iter().cloned());
            table.rows.push(vec![
                Cell::Message(situation_name(&contact.situation)),
                Cell::Text(contact.team.clone()),
                Cell::Text(chat.join(", ")),
                Cell::Text(pagers.join(", ")),
            ]);
        }
        cx.report.push(Block::Table(table));
        Ok(())
    }
}

/// The runbook's situations have names in every language; a team's own is shown as written.
fn situation_name(situation: &str) -> Message {
    match situation {
        "cluster-failure" => msg!("situation-cluster-failure"),
        "security-incident" => msg!("situation-security-incident"),
        "external-outage" => msg!("situation-external-outage"),
        other => msg!("situation-custom", name = other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Contact, NoProgress, Secret, Settings};

    #[tokio::test]
    async fn lists_each_situation_without_secrets() {
        let settings = Settings {
            contacts: vec![Contact {
                situation: "cluster-failure".into(),
                team: "Platform Team".into(),
                slack_mentions: vec!["S0PLATFORM".into()],
                discord_mentions: vec![],
                pagerduty_routing_key: Some(Secret::new("R0UTINGKEY-SECRET")),
                opsgenie_team: Some("platform".into()),
                webhook: None,
                email: vec!["oncall@example.com".into()],
            }],
            ..Settings::default()
        };
        let mut cx = RunContext::new(&settings, &NoProgress);
        ListContacts.run(&mut cx).await.expect("lists");
        let Block::Table(table) = &cx.report.blocks[0] else {
            panic!("expected a table")
        };
        assert_eq!(table.rows[0][1], Cell::Text("Platform Team".into()));
        assert_eq!(
            table.rows[0][3],
            Cell::Text("PagerDuty, Opsgenie (platform), oncall@example.com".into())
        );
        assert!(!format!("{:?}", cx.report).contains("R0UTINGKEY"));
    }
}
