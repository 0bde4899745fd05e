//! Frame I/O for one AMI connection over any `AsyncRead`/`AsyncWrite` (TCP in production,
//! in-memory duplex streams in tests).
//!
//! Owns the read buffer and feeds it to the pure decoder; must not correlate, retry or time out
//! (the client actor does). Reading is cancel-safe so it can sit in a `select!`.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::proto::{Action, Decoded, Decoder, EncodeError, FrameError, Limits, parse_banner};

/// A transport failure on one connection.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad banner: {0}")]
    Banner(FrameError),
    #[error("refused to send: {0}")]
    Encode(#[from] EncodeError),
    #[error("connection closed by Asterisk")]
    Closed,
}

const READ_RESERVE: usize = 16 * 1024;

/// Reads the banner, then frames, from the read half of a connection.
#[derive(Debug)]
pub struct FrameReader<R> {
    reader: R,
    buf: Vec<u8>,
    decoder: Decoder,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Wraps a reader with the given frame limits.
    pub fn new(reader: R, limits: Limits) -> Self {
        Self { reader, buf: Vec::with_capacity(READ_RESERVE), decoder: Decoder::with_limits(limits) }
    }

    /// Reads the `Asterisk Call Manager/x.y.z` line; returns the version.
    pub async fn read_banner(&mut self) -> Result<String, ConnectionError> {
        loop {
            if let Some((version, used)) = parse_banner(&self.buf).map_err(ConnectionError::Banner)? {
                self.buf.drain(..used);
                return Ok(version);
            }
            self.fill().await?;
        }
    }

    /// The next frame or malformed-frame report. `Err(Closed)` at end of stream.
    /// Cancel-safe: bytes already read stay buffered.
    pub async fn next_frame(&mut self) -> Result<Decoded, ConnectionError> {
        loop {
            match self.decoder.decode(&mut self.buf) {
                Decoded::Incomplete => self.fill().await?,
                decoded => return Ok(decoded),
            }
        }
    }

    async fn fill(&mut self) -> Result<(), ConnectionError> {
        self.buf.reserve(READ_RESERVE);
        let read = self.reader.read_buf(&mut self.buf).await?;
        if read == 0 {
            return Err(ConnectionError::Closed);
        }
        Ok(())
    }
}

/// Writes encoded actions to the write half of a connection.
#[derive(Debug)]
pub struct FrameWriter<W> {
    writer: W,
}

impl<W: AsyncWrite + Unpin> FrameWriter<W> {
    /// Wraps a writer.
    pub fn new(writer: W) -> Self {
        Self { writer }
    }

    /// Encodes (refusing control characters) and sends one action.
    pub async fn send(&mut self, action: &Action, action_id: &str) -> Result<(), ConnectionError> {
        let bytes = action.encode(action_id)?;
        self.writer.write_all(&bytes).await?;
        self.writer.flush().await?;
        Ok(())
    }
}
