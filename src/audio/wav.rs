//! RIFF/WAVE decoding: hound parses and validates the header, then the data chunk is read in
//! bulk blocks (hound's per-sample iterator is several times slower than decoding needs).
//!
//! Owns: PCM 8-bit unsigned, 16/24/32-bit signed, IEEE float 32, WAVE_FORMAT_EXTENSIBLE with
//! any of those (valid bits may be fewer than the container: samples are left-justified, so
//! scaling by the container width is exact). Must not: trust the data chunk length for
//! anything but a stopping point — buffers have fixed sizes, and a length of 0 or 0xFFFFFFFF
//! (streamed WAVs) means "until the end of the file".
//!
//! ```text
//! ... "data" u32 data_len | sample frames (block_align = channels × container bytes) ...
//!               ^ read back from the 4 bytes before the first data byte hound leaves us at
//! ```
//! Files hound refuses (float 64, odd chunk lengths) go to symphonia's RIFF reader instead.

use std::io::{BufReader, Read, Seek, SeekFrom};

use crate::audio::error::AudioError;
use crate::audio::source::{FrameSource, SourceInfo};

/// Bytes read per block (rounded down to whole frames when reading).
const BLOCK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
enum Encoding {
    U8,
    S16,
    S24,
    S32,
    F32,
}

/// A bulk WAV decoder.
pub struct WavSource<R> {
    reader: BufReader<R>,
    info: SourceInfo,
    encoding: Encoding,
    frame_bytes: usize,
    remaining: u64,
    bytes: Vec<u8>,
}

fn decode_err(e: impl std::fmt::Display) -> AudioError {
    AudioError::Decode(e.to_string())
}

impl<R: Read + Seek + Send> WavSource<R> {
    /// Parses the header with hound. On refusal the reader is handed back (try symphonia).
    pub fn open(inner: R) -> Result<Self, (AudioError, R)> {
        let mut reader = BufReader::with_capacity(BLOCK_BYTES, inner);
        match parse_header(&mut reader) {
            Ok(header) => Ok(Self::from_header(reader, header)),
            Err(e) => Err((e, reader.into_inner())),
        }
    }

    fn from_header(reader: BufReader<R>, header: Header) -> Self {
        let Header { info, encoding, container, data_len } = header;
        let streamed = data_len == 0 || data_len >= u64::from(u32::MAX - 8);
        WavSource {
            reader,
            frame_bytes: container * info.channels.max(1) as usize,
            info,
            encoding,
            remaining: if streamed { u64::MAX } else { data_len },
            bytes: Vec::with_capacity(BLOCK_BYTES),
        }
    }
}

struct Header {
    info: SourceInfo,
    encoding: Encoding,
    container: usize,
    data_len: u64,
}

fn parse_header<R: Read + Seek>(reader: &mut BufReader<R>) -> Result<Header, AudioError> {
    let (spec, sample_count) = {
        let wav = hound::WavReader::new(&mut *reader).map_err(decode_err)?;
        (wav.spec(), u64::from(wav.len()))
    };
    let data_start = reader.stream_position().map_err(decode_err)?;
    let data_len = read_data_len(reader, data_start)?;
    let container =
        data_len.checked_div(sample_count).unwrap_or_else(|| u64::from(spec.bits_per_sample).div_ceil(8));
    let (encoding, codec) = match (spec.sample_format, container) {
        (hound::SampleFormat::Int, 1) => (Encoding::U8, "pcm_u8"),
        (hound::SampleFormat::Int, 2) => (Encoding::S16, "pcm_s16le"),
        (hound::SampleFormat::Int, 3) => (Encoding::S24, "pcm_s24le"),
        (hound::SampleFormat::Int, 4) => (Encoding::S32, "pcm_s32le"),
        (hound::SampleFormat::Float, 4) => (Encoding::F32, "pcm_f32le"),
        _ => return Err(AudioError::Decode("unsupported WAV sample layout".into())),
    };
    Ok(Header {
        info: SourceInfo {
            codec: codec.to_string(),
            rate: spec.sample_rate,
            channels: u32::from(spec.channels),
            bits_per_sample: Some(u32::from(spec.bits_per_sample)),
        },
        encoding,
        container: container as usize,
        data_len,
    })
}

fn read_data_len<R: Read + Seek>(reader: &mut BufReader<R>, data_start: u64) -> Result<u64, AudioError> {
    let field =
        data_start.checked_sub(4).ok_or_else(|| AudioError::Decode("WAV data chunk not found".into()))?;
    reader.seek(SeekFrom::Start(field)).map_err(decode_err)?;
    let mut len = [0u8; 4];
    reader.read_exact(&mut len).map_err(decode_err)?;
    Ok(u64::from(u32::from_le_bytes(len)))
}

impl<R: Read + Seek + Send> FrameSource for WavSource<R> {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, out: &mut Vec<f32>) -> Result<bool, AudioError> {
        out.clear();
        let whole_frames = (BLOCK_BYTES / self.frame_bytes).max(1) * self.frame_bytes;
        let want = (whole_frames as u64).min(self.remaining) as usize;
        self.bytes.resize(want, 0);
        let mut filled = 0;
        while filled < want {
            match self.reader.read(&mut self.bytes[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(AudioError::Decode(e.to_string())),
            }
        }
        self.remaining -= filled as u64;
        let usable = filled - filled % self.frame_bytes;
        if usable == 0 {
            return Ok(false);
        }
        convert(self.encoding, &self.bytes[..usable], out);
        Ok(true)
    }
}

fn convert(encoding: Encoding, bytes: &[u8], out: &mut Vec<f32>) {
    match encoding {
        Encoding::U8 => out.extend(bytes.iter().map(|&b| (f32::from(b) - 128.0) / 128.0)),
        Encoding::S16 => {
            out.extend(bytes.chunks_exact(2).map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32_768.0))
        }
        Encoding::S24 => out.extend(bytes.chunks_exact(3).map(|c| {
            let value = i32::from_le_bytes([0, c[0], c[1], c[2]]) >> 8;
            value as f32 / 8_388_608.0
        })),
        Encoding::S32 => out.extend(
            bytes
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32 / 2_147_483_648.0),
        ),
        Encoding::F32 => out.extend(bytes.chunks_exact(4).map(|c| {
            let value = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            if value.is_finite() { value } else { 0.0 }
        })),
    }
}
