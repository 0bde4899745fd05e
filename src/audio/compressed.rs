//! MP3, FLAC, Ogg Vorbis (and WAVs hound refuses, e.g. float 64) through symphonia.
//!
//! Owns: building the symphonia reader with tight metadata limits (an ID3 tag may claim
//! gigabytes; tags over 1 MiB and all embedded pictures are skipped, never buffered), picking
//! the audio track, and turning packets into interleaved `f32`. Must not: allocate from header
//! fields itself; a stream whose channel count or rate changes mid-way is rejected.
//! symphonia can panic on some malformed input (e.g. an arithmetic overflow in its RIFF reader
//! in debug builds): every call into it is wrapped so a panic becomes a decode error and the
//! source refuses further reads.

use std::panic::{AssertUnwindSafe, catch_unwind};

use symphonia::core::codecs::audio::AudioDecoder;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::common::Limit;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use crate::audio::error::AudioError;
use crate::audio::source::{FrameSource, SourceInfo};

/// Largest metadata tag kept in memory.
const MAX_TAG_BYTES: usize = 1 << 20;
/// Consecutive undecodable packets tolerated before giving up.
const MAX_BAD_PACKETS: u32 = 64;

/// A symphonia-backed decoder.
pub struct SymphoniaSource {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    poisoned: bool,
    info: SourceInfo,
}

fn decoder_panicked() -> AudioError {
    AudioError::Decode("the decoder failed on malformed data".into())
}

fn sym_err(e: SymError) -> AudioError {
    AudioError::Decode(e.to_string())
}

impl SymphoniaSource {
    /// Probes `source` and sets up the decoder for its first audio track.
    pub fn open(source: Box<dyn MediaSource>, hint_ext: &str) -> Result<Self, AudioError> {
        catch_unwind(AssertUnwindSafe(|| Self::open_unguarded(source, hint_ext)))
            .unwrap_or_else(|_| Err(decoder_panicked()))
    }

    fn open_unguarded(source: Box<dyn MediaSource>, hint_ext: &str) -> Result<Self, AudioError> {
        let stream = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        hint.with_extension(hint_ext);
        let meta = MetadataOptions::default()
            .limit_tag_bytes(Limit::Maximum(MAX_TAG_BYTES))
            .limit_visual_bytes(Limit::Maximum(0));
        let format = symphonia::default::get_probe()
            .probe(&hint, stream, FormatOptions::default(), meta)
            .map_err(sym_err)?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| AudioError::Decode("no audio track".into()))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| AudioError::Decode("the audio track has no codec parameters".into()))?
            .clone();
        let track_id = track.id;
        let rate = params
            .sample_rate
            .ok_or_else(|| AudioError::Decode("the stream declares no sample rate".into()))?;
        let channels = params
            .channels
            .as_ref()
            .map(|c| c.count() as u32)
            .ok_or_else(|| AudioError::Decode("the stream declares no channel layout".into()))?;
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(sym_err)?;
        let codec = symphonia::default::get_codecs()
            .get_audio_decoder(params.codec)
            .map(|d| d.codec.info.short_name.to_string())
            .unwrap_or_else(|| hint_ext.to_string());
        Ok(SymphoniaSource {
            format,
            decoder,
            track_id,
            poisoned: false,
            info: SourceInfo { codec, rate, channels, bits_per_sample: params.bits_per_sample },
        })
    }
}

impl FrameSource for SymphoniaSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn read_block(&mut self, out: &mut Vec<f32>) -> Result<bool, AudioError> {
        if self.poisoned {
            return Err(decoder_panicked());
        }
        let result = catch_unwind(AssertUnwindSafe(|| self.read_block_unguarded(out)));
        result.unwrap_or_else(|_| {
            self.poisoned = true;
            Err(decoder_panicked())
        })
    }
}

impl SymphoniaSource {
    fn read_block_unguarded(&mut self, out: &mut Vec<f32>) -> Result<bool, AudioError> {
        out.clear();
        let mut bad_packets = 0;
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(false),
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Ok(false);
                }
                Err(e) => return Err(sym_err(e)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(buffer) => {
                    let spec = buffer.spec();
                    if spec.rate() != self.info.rate || spec.channels().count() as u32 != self.info.channels {
                        return Err(AudioError::Decode(
                            "the sample rate or channel count changes mid-stream".into(),
                        ));
                    }
                    buffer.copy_to_vec_interleaved(out);
                    if !out.is_empty() {
                        return Ok(true);
                    }
                }
                Err(SymError::DecodeError(_)) => {
                    bad_packets += 1;
                    if bad_packets > MAX_BAD_PACKETS {
                        return Err(AudioError::Decode("too many corrupt packets in a row".into()));
                    }
                }
                Err(e) => return Err(sym_err(e)),
            }
        }
    }
}
