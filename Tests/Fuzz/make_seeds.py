"""Seed corpora of the fuzz targets (Fuzz/, `make fuzz`): small valid and nearly valid inputs.

Run from this folder with the project's Python (numpy, soundfile, safetensors):
    /work/pyenv/bin/python make_seeds.py
It writes the hand-made seeds below. The other seeds were produced by Earmark itself on a tiny data set
(3 classes x 4 tones of 0.5 s at 16 kHz, the cfg/tiny.yaml in config/): `train --mode tiny` gave
safetensors/model.safetensors, checkpoint.safetensors (models/tiny*.safetensors) and cache.safetensors
(pickles/tiny-*.safetensors); `train --mode smallforest` (cfg/forest.yaml with n_estimators 3, max_depth 3)
gave forest.safetensors. descriptor_table.safetensors is Tests/Fixtures/audio's; config/ holds copies of
cfg/*.yaml and training_options.yaml, written by hand with every training option at once (weight decay,
clipping, early stopping, the learning-rate plateau) and training_schedule.yaml (a cosine learning-rate
schedule with warmup and the saved epoch chosen by val_loss; a schedule and the plateau cannot be in one
config); envelope_cnn.yaml is cfg/envelope_cnn.yaml with label smoothing added (a reshape layer, the
envelope_lines descriptor set); sequence_pools.yaml a 1-D convolutional network on MFCC sequences with
the 1-D pools; dilated_separable.yaml a dilated convolution without bias, batch normalization, an
activation layer, a strided depthwise convolution with a depth multiplier, a separable convolution, a
zero padding and a crop;
noise_permute.yaml the Gaussian noise layers, two permutes around a dilated causal convolution and a GRU,
with the nadam optimizer.
safetensors/model_dilated_separable.safetensors and checkpoint_noise_permute_nadam.safetensors are the model
file and the checkpoint (with Nadam's slots and running product) of `train --config` on those two configs
(epochs 1, split test 0.25 and validation 0.25) on the same tiny data set, so that FuzzSafeTensors rebuilds
networks of the newer layers from a stored config.
Files named crash-* are inputs a fuzzer found a fault with, kept as seeds; each has a regression test
(csv/crash-combining-quote: AudioTableTests.testCSVRecordQuotesQuotesAndCommasFollowedByCombiningMarks;
config/crash-class-weight-key: ClassWeightTests.testClassNamesPrintBackAsKeysYAMLCanRead).
"""
import numpy as np
import soundfile as sf
from safetensors.numpy import save_file

# safetensors: every dtype Earmark reads, with metadata; an empty model file
save_file({"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 2], dtype=np.int64),
           "c": np.array([0.5], dtype=np.float64), "d": np.array([7], dtype=np.int32),
           "e": np.array([1, 2, 3], dtype=np.uint8)}, "safetensors/dtypes.safetensors", metadata={"k": "v"})
save_file({}, "safetensors/empty.safetensors", metadata={"format": "earmark-model", "format_version": "1"})

# audio: one 50 ms clip in each container and encoding libsndfile is asked to read
t = np.arange(400) / 8000.0
x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
stereo = np.stack([x, -x], axis=1)
for name, fmt, sub, data in [("pcm16.wav", "WAV", "PCM_16", x), ("pcm24_stereo.wav", "WAV", "PCM_24", stereo),
                             ("float.wav", "WAV", "FLOAT", x), ("u8.wav", "WAV", "PCM_U8", x),
                             ("extensible.wav", "WAVEX", "PCM_16", stereo), ("clip.flac", "FLAC", "PCM_16", x),
                             ("clip.aiff", "AIFF", "PCM_16", x), ("clip.ogg", "OGG", "VORBIS", x),
                             ("clip.au", "AU", "PCM_16", x), ("clip.mp3", "MP3", "MPEG_LAYER_III", x),
                             ("clip.opus", "OGG", "OPUS", x)]:
    sf.write("audio/" + name, data, 8000, format=fmt, subtype=sub)
# a WAV whose data chunk is cut short (the header declares more frames than follow)
whole = open("audio/pcm16.wav", "rb").read()
open("audio/truncated.wav", "wb").write(whole[:len(whole) - 300])

# audio.csv: quoting, a BOM with CRLF and a group column, multi-line fields and skipped rows, a broken quote
csv = {"basic.csv": b'fname,label,note\nhum 0.wav,hum,"take 0, quoted"\ntone1.wav,tone,plain\n',
       "bom_crlf_group.csv": b'\xef\xbb\xbfgroup,fname,label\r\ng1,a.wav,x\r\ng2,"b ""q"".wav",y\r\n\r\n,c.wav,\r\n',
       "multiline_skips.csv": b'label,fname\n"multi\nline",a.wav\nz,\n  ,b.wav\nz,a.wav\n',
       "unterminated.csv": b'fname,label\n"unterminated,a\n'}
for name, content in csv.items():
    open("csv/" + name, "wb").write(content)
