//! Test servers and helpers for the integration tests: a real etcd on a free loopback port,
//! generic emulators of the Kubernetes and Slack APIs on 127.0.0.1, and a driver for the
//! real `opsbot` binary.
pub mod background;
pub mod bot;
pub mod discord;
pub mod etcd;
pub mod fixtures;
pub mod kube;
pub mod kubelet;
pub mod load;
pub mod pagers;
pub mod slack;
pub mod smtp;
pub mod vault;
