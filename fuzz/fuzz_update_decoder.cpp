// UPDATE decoder fuzz target: decode under the session options the first
// octet selects; a clean decode must survive encode → decode unchanged.
#include <cstdio>
#include <cstdlib>

#include "bgp/wire/fuzz_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string failure = halink::bgp::wire::check_update_decoder_input({data, size});
  if (!failure.empty()) {
    std::fprintf(stderr, "fuzz_update_decoder: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
