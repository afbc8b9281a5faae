// Inputs the fuzzers found or that seed them (fuzz/corpus/*, and any crash
// turned regression under tests/bgp/wire/data/fuzz-regressions): each must
// decode without crashing, and whatever decodes cleanly must survive
// encode → decode unchanged — the same property the fuzz targets assert.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "bgp/wire/fuzz_properties.h"

namespace halink::bgp {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<uint8_t>> inputs_in(const fs::path& dir) {
  std::vector<std::vector<uint8_t>> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

TEST(FuzzRegressions, StreamDecoderInputs) {
  fs::path root(HALINK_SOURCE_DIR);
  size_t n = 0;
  for (const auto& dir : {root / "fuzz/corpus/fuzz_stream_decoder", root / "tests/bgp/wire/data/fuzz-regressions/stream"})
    for (const auto& input : inputs_in(dir)) {
      std::string failure = wire::check_stream_decoder_input(input);
      EXPECT_TRUE(failure.empty()) << failure;
      ++n;
    }
  EXPECT_GT(n, 0u);
}

TEST(FuzzRegressions, UpdateDecoderInputs) {
  fs::path root(HALINK_SOURCE_DIR);
  size_t n = 0;
  for (const auto& dir : {root / "fuzz/corpus/fuzz_update_decoder", root / "tests/bgp/wire/data/fuzz-regressions/update"})
    for (const auto& input : inputs_in(dir)) {
      std::string failure = wire::check_update_decoder_input(input);
      EXPECT_TRUE(failure.empty()) << failure;
      ++n;
    }
  EXPECT_GT(n, 0u);
}

}  // namespace
}  // namespace halink::bgp
