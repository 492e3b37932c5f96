//! Runbook §3.3: disaster recovery, the whole platform rebuilt from configured scripts and
//! the latest Velero backup.

pub mod rebuild;
