//! Bounds the work one Discord bot takes on: `max_running` runs at once, `max_waiting` more in
//! line. A command beyond that is refused at once, in the interaction's answer, so that a
//! flood of commands cannot queue without bound nor wait for an answer that would come late.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct Gate {
    permits: Arc<Semaphore>,
    /// Runs admitted and not finished: running plus waiting.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
    running: usize,
}

/// A place taken in line; the run's turn comes with [`Place::turn`]. Dropping either gives
/// the place back.
pub(crate) struct Place {
    permits: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
}

/// A run's turn; the in-flight gauge follows it.
pub(crate) struct Turn {
    _place: Place,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Gate {
    pub fn new(max_running: usize, max_waiting: usize) -> Self {
        let running = max_running.max(1);
        Gate {
            permits: Arc::new(Semaphore::new(running)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: running.saturating_add(max_waiting),
            running,
        }
    }

    /// A place in line, or Err(how many wait) when the line is full. Never waits.
    pub fn join(&self) -> Result<Place, usize> {
        let before = self.admitted.fetch_add(1, Ordering::AcqRel);
        if before >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::AcqRel);
            return Err(before.saturating_sub(self.running));
        }
        Ok(Place {
            permits: self.permits.clone(),
            admitted: self.admitted.clone(),
        })
    }
}

impl Place {
    /// Waits for a turn to run.
    pub async fn turn(self) -> Turn {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = self.permits.clone().acquire_owned().await.ok();
        metrics::gauge!("opsbot_runs_in_flight").increment(1.0);
        Turn {
            _place: self,
            _permit: permit,
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        metrics::gauge!("opsbot_runs_in_flight").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;

    #[tokio::test]
    async fn beyond_running_and_waiting_a_command_is_refused_until_a_place_frees() {
        let gate = Gate::new(1, 1);
        let first = gate.join().expect("runs");
        let second = gate.join().expect("waits");
        assert_eq!(gate.join().err(), Some(1), "one waiting");
        let turn = first.turn().await;
        drop(turn);
        let _third = gate.join().expect("a place freed");
        drop(second);
    }
}
