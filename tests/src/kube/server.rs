//! The server's own thread and tokio runtime, so synchronous `#[test]`s can start, stop and
//! restart it without a runtime of their own.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Shared, routes};

/// How long a restart waits for the old port to become bindable again.
const REBIND_DEADLINE: Duration = Duration::from_secs(5);

/// A serving thread; [`stop`](Running::stop) ends it.
pub(crate) struct Running {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

/// Serves `listener` (already bound, so the port is known and listening before this returns).
pub(crate) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Running {
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("kube-test-server-{}", shared.port()))
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime for the kube test server");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    served = axum::serve(listener, routes::router(shared)) => {
                        if let Err(error) = served {
                            eprintln!("kube test server stopped: {error}");
                        }
                    }
                    _ = stopped => {}
                }
            });
            // Not a graceful shutdown: dropping the runtime drops every connection task, so
            // open watches and log follows see their connection close, as when an apiserver
            // goes away, and idle keep-alive connections cannot keep answering.
            drop(runtime);
        })
        .expect("spawn the kube test server thread");
    Running { stop, thread }
}

impl Running {
    /// Stops serving and waits until the port is closed.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// Binds the port a stopped server had. std sets SO_REUSEADDR on Unix, so connections left in
/// TIME_WAIT do not block it; a short retry covers the listener's own teardown.
pub(crate) fn rebind(port: u16) -> TcpListener {
    let deadline = Instant::now() + REBIND_DEADLINE;
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => return listener,
            Err(error) if error.kind() == ErrorKind::AddrInUse && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(error) => panic!("cannot bind 127.0.0.1:{port} again: {error}"),
        }
    }
}
