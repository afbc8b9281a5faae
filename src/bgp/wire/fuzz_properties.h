// The properties the fuzz targets check, shared with the regression test
// that replays their corpora (tests/bgp/wire/fuzz_regression_test.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace halink::bgp::wire {

// The first octet selects the session options (4-octet AS, ADD-PATH,
// iBGP); the rest is an UPDATE body. Decoding must not crash, and a clean
// decode must survive encode → decode unchanged. Returns "" or the failure.
std::string check_update_decoder_input(std::span<const uint8_t> input);

// The input is a byte stream; the first octet picks a piece size. Feeding
// it in pieces must give the same frames and errors as feeding it whole,
// every frame's body must decode without crashing, and a clean OPEN,
// NOTIFICATION, KEEPALIVE or ROUTE-REFRESH must survive encode → decode.
// Returns "" or the failure.
std::string check_stream_decoder_input(std::span<const uint8_t> input);

}  // namespace halink::bgp::wire
