// Stream decoder fuzz target: the same bytes fed whole or in pieces give the
// same frames, and every frame decodes without crashing.
#include <cstdio>
#include <cstdlib>

#include "bgp/wire/fuzz_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string failure = halink::bgp::wire::check_stream_decoder_input({data, size});
  if (!failure.empty()) {
    std::fprintf(stderr, "fuzz_stream_decoder: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
