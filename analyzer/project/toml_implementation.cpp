// toml++'s implementation, compiled once into the analyzer (the headers are included everywhere else
// with TOML_HEADER_ONLY=0): linked statically, not through libtomlplusplus.so, for start-up time.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
