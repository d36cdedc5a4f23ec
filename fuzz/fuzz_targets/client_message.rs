//! One client frame, as a socket would receive it: decoded, and a command decided and applied
//! against sessions in every phase. The checks live in `kring_server::fuzzing`, so the stable
//! test runs the same ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kring_server::fuzzing::client_frame(data));
