// Whether this test program (and so the miglint it spawns: ci/test --sanitize builds both) runs
// under a sanitizer. Peak-memory bounds do not hold there: AddressSanitizer keeps freed memory in a
// quarantine, pads every allocation with redzones and maps shadow memory, ThreadSanitizer keeps
// shadow memory too; and AddressSanitizer ends the process on a failed allocation instead of
// throwing std::bad_alloc. Tests that assert such figures check them in the ordinary build only.
#pragma once

namespace miglint::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace miglint::testing
