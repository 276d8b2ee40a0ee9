// ThreadSanitizer suppressions, compiled into every target of a TSan build (ProjectOptions.cmake).
// Debian's libcpp-httplib.so is not instrumented: its function-local statics are read through an
// inlined fast path TSan cannot see, so concurrent requests produce reports inside the library
// (reproduced with a 30-line program that uses nothing but httplib::Server). Only frames in that
// library are suppressed.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "race:libcpp-httplib.so\n";
}
#endif
