//! The `.npy` reader on arbitrary bytes: an array or `Error::Npy`, never a panic or an allocation
//! the header merely claims.

#![no_main]

use halfpixel::npy::parse_npy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(array) = parse_npy(bytes, "<fuzz>") {
        let shape = array.shape.clone();
        assert_eq!(shape.iter().product::<usize>(), array.data.len());
        let padded = array.clone().into_array4_padded();
        if let Ok(a) = array.clone().into_array4() {
            assert_eq!(a.shape(), shape.as_slice());
        }
        if let Ok(d) = array.into_arrayd() {
            assert_eq!(d.shape(), shape.as_slice());
        }
        let _ = padded;
    }
});
