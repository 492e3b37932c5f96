//! An axum app served on its own thread and runtime, so a test server keeps answering while
//! the test blocks. Stopping it (or dropping it) closes the port.

use std::thread::JoinHandle;

use axum::Router;
use tokio::sync::oneshot;

pub struct Background {
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Background {
    /// Serves `app` on `listener` (already bound, so the port is known and listening on
    /// return) on a thread called `name`.
    pub fn serve(name: &str, listener: std::net::TcpListener, app: Router) -> Background {
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let (stop, stopped) = oneshot::channel::<()>();
        let label = name.to_string();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime for a test server");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    tokio::select! {
                        served = axum::serve(listener, app) => {
                            if let Err(error) = served {
                                eprintln!("{label} stopped: {error}");
                            }
                        }
                        _ = stopped => {}
                    }
                });
            })
            .expect("spawn a test server thread");
        Background {
            running: Some((stop, thread)),
        }
    }

    /// Goes away: the port refuses connections from now on.
    pub fn stop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop();
    }
}
