//! Hand-declared `prost` messages for the parts of Apple's Core ML specification
//! (`mlmodel/format/*.proto` in coremltools) that the reader walks. Field numbers are Apple's;
//! fields and messages the reader does not need are left undeclared, and prost skips them.

pub mod mil;
pub mod model;
pub mod neural_network;
