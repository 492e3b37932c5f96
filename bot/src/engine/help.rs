//! `help` and `help OPERATION`, built from the catalogue so they can never drift from it.

use commands::{Block, CATALOGUE, Cell, Message, Report, Risk, Spec, Table, msg};

pub fn help(spec: Option<&'static Spec>) -> Report {
    match spec {
        None => overview(),
        Some(spec) => one(spec),
    }
}

fn overview() -> Report {
    let mut table = Table::new(vec![
        msg!("help-col-command"),
        msg!("help-col-risk"),
        msg!("help-col-summary"),
    ]);
    for entry in CATALOGUE {
        for (i, form) in entry.spec.forms.iter().enumerate() {
            let summary = if i > 0 {
                Cell::Text(String::new())
            } else if entry.operation.is_some() {
                Cell::Message(Message::new(entry.spec.summary_id()))
            } else {
                Cell::Message(msg!(
                    "help-not-yet",
                    summary = Message::new(entry.spec.summary_id())
                ))
            };
            table.rows.push(vec![
                Cell::Text(form.usage()),
                Cell::Message(risk(entry.spec.risk)),
                summary,
            ]);
        }
    }
    Report {
        blocks: vec![
            Block::Heading(msg!("help-title")),
            Block::Table(table),
            Block::Note(msg!("help-footer")),
        ],
    }
}

fn one(spec: &'static Spec) -> Report {
    let available = commands::entry(spec.id).is_some_and(|e| e.operation.is_some());
    let mut fields = vec![
        (
            msg!("help-field-summary"),
            Cell::Message(Message::new(spec.summary_id())),
        ),
        (msg!("help-field-risk"), Cell::Message(risk(spec.risk))),
        (
            msg!("help-field-section"),
            Cell::Text(spec.section.to_string()),
        ),
        (
            msg!("help-field-status"),
            Cell::Message(if available {
                msg!("help-status-available")
            } else {
                msg!("help-status-not-yet")
            }),
        ),
    ];
    for form in spec.forms {
        fields.push((msg!("help-field-usage"), Cell::Text(form.usage())));
    }
    Report {
        blocks: vec![
            Block::Heading(msg!("help-operation", id = spec.id)),
            Block::Fields(fields),
            Block::Note(msg!("help-footer")),
        ],
    }
}

pub fn risk(risk: Risk) -> Message {
    match risk {
        Risk::Read => msg!("risk-read"),
        Risk::Write => msg!("risk-write"),
        Risk::Destructive => msg!("risk-destructive"),
    }
}
