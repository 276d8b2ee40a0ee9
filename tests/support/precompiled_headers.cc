// The translation unit the precompiled GoogleTest headers are built with (tests/CMakeLists.txt);
// the headers come in through the precompiled header itself.
