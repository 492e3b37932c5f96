//! The runners as steps: what they plan, report and leave behind.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use super::Recorded;
use super::node::{Cluster, Kubelet};
use crate::runner::{ProgramOutput, RunOnNode, RunProgram, command_line};
use crate::{Block, OpError, RunContext, Settings, Step, msg};

#[test]
fn command_lines_quote_only_what_a_shell_would_split_or_expand() {
    assert_eq!(
        command_line(["journalctl", "--vacuum-time=3d", "-u", "kubelet.service"]),
        "journalctl --vacuum-time=3d -u kubelet.service"
    );
    assert_eq!(
        command_line(["echo", "two words", "it's", "", "$(id)", "a;b"]),
        r"echo 'two words' 'it'\''s' '' '$(id)' 'a;b'"
    );
}

#[test]
fn plans_show_the_argument_vector_quoted_for_reading() {
    let upgrade = RunProgram::new(
        "helm",
        [
            "upgrade",
            "prometheus",
            "prometheus-community/kube-prometheus-stack",
            "-n",
            "monitoring",
            "--values",
            "my values.yaml",
        ],
    );
    assert_eq!(
        upgrade.plan(),
        msg!(
            "runner-plan-program",
            command = "helm upgrade prometheus prometheus-community/kube-prometheus-stack -n monitoring --values 'my values.yaml'"
        )
    );
    let prune = RunOnNode::new("app1", "app1-w1", ["crictl", "rmi", "--prune"]);
    assert_eq!(
        prune.plan(),
        msg!(
            "runner-plan-node",
            command = "crictl rmi --prune",
            node = "app1-w1",
            cluster = "app1"
        )
    );
}

#[tokio::test]
async fn a_program_step_reports_its_tail_and_leaves_its_output_even_when_it_fails() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("helm");
    std::fs::write(
        &path,
        "#!/bin/sh\necho \"release $2\" >&2\necho 'Error: UPGRADE FAILED' >&2\nexit 1\n",
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut settings = Settings::default();
    settings.runners.programs.insert("helm".into(), path);
    let progress = Recorded::default();
    let mut cx = RunContext::new(&settings, &progress);
    let step = RunProgram::new("helm", ["upgrade", "web"]);
    let result = step.run(&mut cx).await;
    let message = match result {
        Err(OpError::Failed(message)) => message,
        other => panic!("expected a failure, got {other:?}"),
    };
    assert_eq!(message.id, "runner-exit");
    assert_eq!(
        cx.report.blocks,
        [
            Block::Heading(msg!("runner-output", command = "helm upgrade web")),
            Block::Text("release web\nError: UPGRADE FAILED".into()),
        ]
    );
    let output = cx.facts.require::<ProgramOutput>().expect("a fact");
    assert_eq!(output.exit, 1);
    assert_eq!(output.tail.lines().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_step_runs_through_the_clusters_client_and_leaves_its_output() {
    let cluster = Cluster::start();
    let progress = Recorded::default();
    let kubelet = Kubelet::Runs {
        lines: &["/dev/sda1  40G  12G  28G  30% /"],
        exit: Some(0),
    }
    .play(Arc::clone(&cluster.server), progress.clone());
    let mut cx = RunContext::new(&cluster.settings, &progress);
    RunOnNode::new("app1", "app1-w1", ["df", "-h", "/"])
        .run(&mut cx)
        .await
        .expect("runs");
    kubelet.join().expect("kubelet");
    let output = cx.facts.require::<ProgramOutput>().expect("a fact");
    assert_eq!(output.exit, 0);
    assert_eq!(
        output.tail.last().map(|l| l.text.as_str()),
        Some("/dev/sda1  40G  12G  28G  30% /")
    );
    assert!(matches!(
        &cx.report.blocks[..],
        [Block::Heading(_), Block::Text(_)]
    ));
}
