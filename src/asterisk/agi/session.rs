//! One FastAGI connection: reads the environment, sends commands, waits for their replies.
//!
//! Owns the connection's persistent read buffer (bytes after the environment or after a reply stay for
//! the next read) and the per-reply idle deadline. Must not: interpret the call (scripts do that) or
//! know about sockets beyond `AsyncRead + AsyncWrite`, so tests can drive it with in-memory pipes.
//!
//! `HANGUP` and `511` end the call: [`AgiSession::execute`] reports them as
//! [`SessionError::CallEnded`] and refuses further commands, so scripts stop with `?` and the server
//! closes the connection normally.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::proto::{AgiEnv, Command, EnvLimits, EnvParser, EnvProgress, ProtoError, Reply, ReplyParser};

/// How the call ended from Asterisk's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// `HANGUP` arrived (inline or between replies).
    Hangup,
    /// A `511` reply: the channel was already dead.
    DeadChannel,
}

impl std::fmt::Display for CallEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CallEnd::Hangup => "caller hung up",
            CallEnd::DeadChannel => "channel is dead (511)",
        })
    }
}

/// Why a session step did not produce a value.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The call is over; a clean end, not a fault.
    #[error("call ended: {0}")]
    CallEnded(CallEnd),
    #[error("peer closed the connection")]
    Closed,
    #[error("no reply within {0:?}")]
    IdleTimeout(Duration),
    #[error("environment not received within {0:?}")]
    EnvTimeout(Duration),
    #[error(transparent)]
    Proto(#[from] ProtoError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Size and time bounds for one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub env: EnvLimits,
    /// Largest reply accepted (a multi-line `520` usage block included).
    pub max_reply_bytes: usize,
    /// Longest wait for a command to be written and its reply to arrive.
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self { env: EnvLimits::default(), max_reply_bytes: 64 * 1024, idle_timeout: Duration::from_secs(10) }
    }
}

/// Bytes read per `read` call at most; the buffer starts smaller so 10,000 idle sessions stay cheap.
const READ_CHUNK: usize = 4096;
const INITIAL_BUFFER: usize = 1024;

/// A FastAGI session over any byte stream.
#[derive(Debug)]
pub struct AgiSession<S> {
    io: S,
    buf: Vec<u8>,
    limits: SessionLimits,
    ended: Option<CallEnd>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> AgiSession<S> {
    pub fn new(io: S, limits: SessionLimits) -> Self {
        Self { io, buf: Vec::new(), limits, ended: None }
    }

    /// Reads until the environment's blank line. No deadline here: the caller bounds the whole
    /// receive (the server's env timeout), which a per-read deadline could not (slowloris).
    pub async fn read_env(&mut self) -> Result<AgiEnv, SessionError> {
        let mut parser = EnvParser::new(self.limits.env);
        loop {
            if let EnvProgress::Complete { env, consumed } = parser.advance(&self.buf)? {
                self.buf.drain(..consumed);
                return Ok(env);
            }
            self.fill().await?;
        }
    }

    /// Sends `cmd` and waits for its reply, within the idle timeout.
    ///
    /// `510` and `520` come back as `Ok` (the script decides); `HANGUP`/`511` as `CallEnded`.
    pub async fn execute(&mut self, cmd: &Command) -> Result<Reply, SessionError> {
        if let Some(end) = self.ended {
            return Err(SessionError::CallEnded(end));
        }
        let idle = self.limits.idle_timeout;
        let reply = tokio::time::timeout(idle, async {
            self.io.write_all(cmd.as_bytes()).await?;
            self.io.flush().await?;
            self.read_reply().await
        })
        .await
        .map_err(|_| SessionError::IdleTimeout(idle))??;
        let end = match reply {
            Reply::Hangup => CallEnd::Hangup,
            Reply::DeadChannel => CallEnd::DeadChannel,
            other => return Ok(other),
        };
        self.ended = Some(end);
        Err(SessionError::CallEnded(end))
    }

    /// How the call ended, once `HANGUP` or `511` was seen.
    pub fn ended(&self) -> Option<CallEnd> {
        self.ended
    }

    /// Closes the write side so Asterisk sees the end of the script and continues the dialplan.
    pub async fn close(mut self) -> Result<(), SessionError> {
        self.io.shutdown().await?;
        Ok(())
    }

    async fn read_reply(&mut self) -> Result<Reply, SessionError> {
        let max_line = self.limits.env.max_line_bytes;
        let mut parser = ReplyParser::new(self.limits.max_reply_bytes, max_line);
        loop {
            if let Some((reply, consumed)) = parser.advance(&self.buf)? {
                self.buf.drain(..consumed);
                return Ok(reply);
            }
            self.fill().await?;
        }
    }

    /// Appends at most one read's worth of bytes; EOF is `Closed`.
    async fn fill(&mut self) -> Result<(), SessionError> {
        if self.buf.capacity() == 0 {
            self.buf.reserve(INITIAL_BUFFER);
        } else if self.buf.len() == self.buf.capacity() {
            self.buf.reserve(READ_CHUNK.min(self.buf.capacity()));
        }
        let n = self.io.read_buf(&mut self.buf).await?;
        if n == 0 {
            return Err(SessionError::Closed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SessionLimits {
        SessionLimits { idle_timeout: Duration::from_secs(2), ..SessionLimits::default() }
    }

    #[tokio::test]
    async fn reply_bytes_after_hangup_stay_buffered_and_commands_stop() {
        let (ours, mut theirs) = tokio::io::duplex(256);
        let mut session = AgiSession::new(ours, limits());
        let peer = tokio::spawn(async move {
            theirs.write_all(b"agi_network_script: moh\n\n").await?;
            let mut line = [0u8; 5];
            theirs.read_exact(&mut line).await?;
            theirs
                .write_all(b"HANGUP\n511 Command Not Permitted on a dead channel or intercept routine\n")
                .await?;
            Ok::<_, std::io::Error>(line)
        });
        let env = session.read_env().await.unwrap();
        assert_eq!(env.script().unwrap().path, "moh");
        let err = session.execute(&Command::noop()).await.unwrap_err();
        assert!(matches!(err, SessionError::CallEnded(CallEnd::Hangup)));
        assert_eq!(&peer.await.unwrap().unwrap(), b"NOOP\n");
        let again = session.execute(&Command::noop()).await.unwrap_err();
        assert!(matches!(again, SessionError::CallEnded(CallEnd::Hangup)));
    }

    #[tokio::test(start_paused = true)]
    async fn silent_peer_hits_the_idle_timeout() {
        let (ours, _theirs) = tokio::io::duplex(256);
        let mut session = AgiSession::new(ours, limits());
        let err = session.execute(&Command::noop()).await.unwrap_err();
        assert!(matches!(err, SessionError::IdleTimeout(_)));
    }

    #[tokio::test]
    async fn eof_mid_reply_is_closed() {
        let (ours, mut theirs) = tokio::io::duplex(256);
        let mut session = AgiSession::new(ours, limits());
        tokio::spawn(async move {
            let mut line = [0u8; 5];
            theirs.read_exact(&mut line).await?;
            theirs.write_all(b"200 res").await
        });
        let err = session.execute(&Command::noop()).await.unwrap_err();
        assert!(matches!(err, SessionError::Closed), "{err:?}");
    }
}
