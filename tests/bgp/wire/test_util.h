// Helpers shared by the codec tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bgp/wire/codec.h"

namespace halink::bgp::test {

std::vector<uint8_t> from_hex(const std::string& hex);  // ignores ':' and spaces
std::string to_hex(const std::vector<uint8_t>& bytes);
Prefix prefix(const char* text);
IpAddress address(const char* text);

// A whole UPDATE from hex pieces, with every length computed.
std::vector<uint8_t> update_message(const std::string& withdrawn_hex, const std::string& attributes_hex,
                                    const std::string& nlri_hex);
// A whole message of `type` around `body_hex`.
std::vector<uint8_t> message(uint8_t type, const std::string& body_hex);

// Decodes one whole message (header included) through the stream decoder.
Decoded decode_whole(const std::vector<uint8_t>& message, const CodecContext& ctx = {});

}  // namespace halink::bgp::test
