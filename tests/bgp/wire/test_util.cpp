#include "test_util.h"

#include <cstdio>
#include <stdexcept>

namespace halink::bgp::test {

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(uint8_t(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
  std::string out;
  char buf[3];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

Prefix prefix(const char* text) {
  auto p = Prefix::parse(text);
  if (!p) throw std::runtime_error(p.message());
  return *p;
}

IpAddress address(const char* text) {
  auto a = IpAddress::parse(text);
  if (!a) throw std::runtime_error(a.message());
  return *a;
}

std::vector<uint8_t> message(uint8_t type, const std::string& body_hex) {
  auto body = from_hex(body_hex);
  std::vector<uint8_t> out(16, 0xFF);
  size_t length = 19 + body.size();
  out.push_back(uint8_t(length >> 8));
  out.push_back(uint8_t(length));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> update_message(const std::string& withdrawn_hex, const std::string& attributes_hex,
                                    const std::string& nlri_hex) {
  auto withdrawn = from_hex(withdrawn_hex);
  auto attributes = from_hex(attributes_hex);
  std::vector<uint8_t> body;
  body.push_back(uint8_t(withdrawn.size() >> 8));
  body.push_back(uint8_t(withdrawn.size()));
  body.insert(body.end(), withdrawn.begin(), withdrawn.end());
  body.push_back(uint8_t(attributes.size() >> 8));
  body.push_back(uint8_t(attributes.size()));
  body.insert(body.end(), attributes.begin(), attributes.end());
  auto nlri = from_hex(nlri_hex);
  body.insert(body.end(), nlri.begin(), nlri.end());
  return message(2, to_hex(body));
}

Decoded decode_whole(const std::vector<uint8_t>& message, const CodecContext& ctx) {
  StreamDecoder s(ctx.max_size());
  s.feed(message);
  auto r = s.next();
  if (r.kind == StreamDecoder::FrameResult::Kind::error) {
    Decoded d;
    d.action = ErrorAction::session_reset;
    d.reset = r.error_notification;
    d.problems.push_back({ErrorAction::session_reset, r.error_notification, r.reason});
    return d;
  }
  if (r.kind != StreamDecoder::FrameResult::Kind::frame) throw std::runtime_error("incomplete message");
  return decode_message(r.frame.type, r.frame.body, ctx);
}

}  // namespace halink::bgp::test
