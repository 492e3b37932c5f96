//! Runbook §5.5, "External Secrets 동기화 상태": whether the External Secrets Operator copied
//! each secret out of Vault.

pub mod sync;
