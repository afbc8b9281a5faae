// The catalogue of malformed messages: each case states the outcome RFC 7606
// (or RFC 4271 where 7606 does not revise it) prescribes, and the section.
#include <functional>

#include <gtest/gtest.h>

#include "bgp/wire/codec.h"
#include "test_util.h"

namespace halink::bgp {
namespace {

using test::message;
using test::update_message;

// Well-formed pieces (4-octet AS session unless a case says otherwise).
const std::string origin = "40 01 01 00 ";
const std::string as_path = "40 02 06 02 01 0000FDE9 ";
const std::string next_hop = "40 03 04 C0000201 ";
const std::string base = origin + as_path + next_hop;
const std::string nlri = "08 0A";
const std::string mp_reach_v6 = "80 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 20 20010DB8 ";

CodecContext ebgp() { return {}; }
CodecContext ibgp() {
  CodecContext c;
  c.ibgp = true;
  return c;
}
CodecContext two_octet() {
  CodecContext c;
  c.four_octet_as = false;
  return c;
}

struct Case {
  const char* name;
  const char* section;
  std::vector<uint8_t> bytes;
  CodecContext ctx;
  ErrorAction action;
  uint8_t code = 0;  // for session_reset: the NOTIFICATION to send
  uint8_t subcode = 0;
  std::function<void(const Decoded&)> check = nullptr;
};

const Update& update_of(const Decoded& d) { return std::get<Update>(d.message); }

std::vector<Case> catalogue() {
  const auto reset = ErrorAction::session_reset;
  const auto withdraw = ErrorAction::treat_as_withdraw;
  const auto discard = ErrorAction::attribute_discard;
  const auto none = ErrorAction::none;
  std::vector<Case> c = {
      // ---- Message header (RFC 4271 §6.1)
      {"marker not all ones", "RFC 4271 §6.1", test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE 0013 04"), ebgp(), reset, 1, 1},
      {"length below 19", "RFC 4271 §6.1", test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0010 04"), ebgp(), reset, 1, 2},
      {"length above 4096", "RFC 4271 §6.1", test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 1001 02"), ebgp(), reset, 1, 2},
      {"type 0", "RFC 4271 §6.1", test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 00"), ebgp(), reset, 1, 3},
      {"type 7", "RFC 4271 §6.1", test::from_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 07"), ebgp(), reset, 1, 3},
      {"OPEN shorter than 29", "RFC 4271 §6.1", message(1, "04 FDE9 00B4 0A000001"), ebgp(), reset, 1, 2},
      {"UPDATE shorter than 23", "RFC 4271 §6.1", message(2, "0000 00"), ebgp(), reset, 1, 2},
      {"NOTIFICATION shorter than 21", "RFC 4271 §6.1", message(3, "06"), ebgp(), reset, 1, 2},
      {"KEEPALIVE with a body", "RFC 4271 §6.1", message(4, "00"), ebgp(), reset, 1, 2},
      {"ROUTE-REFRESH of 3 octets", "RFC 2918 §3, RFC 4271 §6.1", message(5, "0001 00"), ebgp(), reset, 1, 2},
      {"BoRR of 5 octets", "RFC 7313 §5", message(5, "0001 01 01 00"), ebgp(), reset, 7, 1,
       [](const Decoded& d) { EXPECT_EQ(d.reset->data.size(), 24u); }},  // quotes the whole message

      // ---- OPEN (RFC 4271 §6.2, RFC 5492)
      {"BGP version 3", "RFC 4271 §6.2", message(1, "03 FDE9 00B4 0A000001 00"), ebgp(), reset, 2, 1,
       [](const Decoded& d) { EXPECT_EQ(d.reset->data, (std::vector<uint8_t>{0, 4})); }},
      {"hold time 1", "RFC 4271 §6.2", message(1, "04 FDE9 0001 0A000001 00"), ebgp(), reset, 2, 6},
      {"BGP identifier 0", "RFC 6286 §2.2", message(1, "04 FDE9 00B4 00000000 00"), ebgp(), reset, 2, 3},
      {"optional parameters overrun", "RFC 4271 §6.2", message(1, "04 FDE9 00B4 0A000001 08 02 02 02 00"), ebgp(), reset, 2, 0},
      {"capability overruns its parameter", "RFC 5492 §4", message(1, "04 FDE9 00B4 0A000001 04 02 02 41 04"), ebgp(), reset, 2, 0},
      {"unsupported optional parameter", "RFC 4271 §6.2", message(1, "04 FDE9 00B4 0A000001 03 01 01 00"), ebgp(), reset, 2, 4},
      {"4-octet AS capability of 2 octets", "RFC 6793 §3, RFC 5492 §4", message(1, "04 FDE9 00B4 0A000001 06 02 04 41 02 FDE9"), ebgp(), reset, 2, 0},

      // ---- UPDATE structure
      {"withdrawn length overruns", "RFC 4271 §6.3, RFC 7606 §3(b)", message(2, "0010 0000"), ebgp(), reset, 3, 1},
      {"attribute length overruns", "RFC 4271 §6.3, RFC 7606 §3(b)", message(2, "0000 0020 40010100"), ebgp(), reset, 3, 1},
      {"withdrawn prefix /33", "RFC 7606 §5.3", update_message("21 0A000000 00", "", ""), ebgp(), reset, 3, 10},
      {"NLRI prefix overruns", "RFC 7606 §5.3", update_message("", base, "18 0A00"), ebgp(), reset, 3, 10},
      {"NLRI prefix /33", "RFC 7606 §5.3", update_message("", base, "21 0A000000 00"), ebgp(), reset, 3, 10},

      // ---- Attribute framing (RFC 7606 §4)
      {"last attribute overruns the attribute field", "RFC 7606 §4", update_message("", base + "C0 08 08 0000FDE9", nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(update_of(d).nlri.prefixes.size(), 1u); }},
      {"two octets left for an attribute header", "RFC 7606 §4", update_message("", base + "C0 08", nlri), ebgp(), withdraw},
      {"extended-length header truncated", "RFC 7606 §4", update_message("", base + "D0 08 00", nlri), ebgp(), withdraw},
      {"MP_REACH overruns the attribute field", "RFC 7606 §3(j), §5.3", update_message("", origin + as_path + "80 0E 30 0002 01", ""), ebgp(), reset, 3, 5},

      // ---- Attribute flags (RFC 7606 §3(c))
      {"ORIGIN flagged optional", "RFC 7606 §3(c)", update_message("", "C0 01 01 00 " + as_path + next_hop, nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.origin); }},
      {"MED flagged transitive", "RFC 7606 §3(c)", update_message("", base + "C0 04 04 00000001", nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.med); }},
      {"COMMUNITIES flagged non-transitive", "RFC 7606 §3(c)", update_message("", base + "80 08 04 FDE90001", nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_TRUE(update_of(d).attributes.communities.empty()); }},
      {"MP_REACH flagged transitive", "RFC 7606 §3(j), §5.3", update_message("", origin + as_path + "C0 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 20 20010DB8", ""), ebgp(), reset, 3, 4},
      {"AS4_PATH flagged well-known", "RFC 6793 §6", update_message("", origin + "40 02 04 02 01 5BA0 " + next_hop + "40 11 06 02 01 FA56EA00", nlri), two_octet(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(update_of(d).attributes.as_path->to_string(), "23456"); }},

      // ---- Repeated attributes (RFC 7606 §3(g))
      {"ORIGIN twice keeps the first", "RFC 7606 §3(g)", update_message("", base + "40 01 01 02", nlri), ebgp(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(update_of(d).attributes.origin, Origin::igp); }},
      {"MP_UNREACH twice", "RFC 7606 §3(g)", update_message("", "80 0F 03 0002 01 80 0F 03 0002 01", ""), ebgp(), reset, 3, 1},
      {"MP_REACH twice", "RFC 7606 §3(g)", update_message("", origin + as_path + mp_reach_v6 + mp_reach_v6, ""), ebgp(), reset, 3, 1},

      // ---- Missing well-known attributes (RFC 7606 §3(d))
      {"missing ORIGIN", "RFC 7606 §3(d)", update_message("", as_path + next_hop, nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(d.problems[0].notification, (Notification{3, 3, {1}})); }},
      {"missing AS_PATH", "RFC 7606 §3(d)", update_message("", origin + next_hop, nlri), ebgp(), withdraw},
      {"missing NEXT_HOP with IPv4 NLRI", "RFC 7606 §3(d)", update_message("", origin + as_path, nlri), ebgp(), withdraw},
      {"no NEXT_HOP needed with only MP_REACH", "RFC 4760 §3, RFC 7606 §3(d)", update_message("", origin + as_path + mp_reach_v6, ""), ebgp(), none},

      // ---- Per-attribute (RFC 7606 §7)
      {"ORIGIN of 2 octets", "RFC 7606 §7.1", update_message("", "40 01 02 00 00 " + as_path + next_hop, nlri), ebgp(), withdraw},
      {"ORIGIN value 3", "RFC 7606 §7.1", update_message("", "40 01 01 03 " + as_path + next_hop, nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(d.problems[0].notification.subcode, update_subcode::invalid_origin_attribute); }},
      {"AS_PATH segment type 5", "RFC 7606 §7.2", update_message("", origin + "40 02 06 05 01 0000FDE9 " + next_hop, nlri), ebgp(), withdraw, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.as_path); }},
      {"AS_PATH segment of length 0", "RFC 7606 §7.2", update_message("", origin + "40 02 02 02 00 " + next_hop, nlri), ebgp(), withdraw},
      {"AS_PATH segment overrun", "RFC 7606 §7.2", update_message("", origin + "40 02 06 02 02 0000FDE9 " + next_hop, nlri), ebgp(), withdraw},
      {"AS_PATH one trailing octet", "RFC 7606 §7.2", update_message("", origin + "40 02 07 02 01 0000FDE9 02 " + next_hop, nlri), ebgp(), withdraw},
      {"2-octet AS_PATH read on a 4-octet session", "RFC 7606 §7.2", update_message("", origin + "40 02 04 02 01 FDE9 " + next_hop, nlri), ebgp(), withdraw},
      {"NEXT_HOP of 5 octets", "RFC 7606 §7.3", update_message("", origin + as_path + "40 03 05 C000020100", nlri), ebgp(), withdraw},
      {"MED of 3 octets", "RFC 7606 §7.4", update_message("", base + "80 04 03 000001", nlri), ebgp(), withdraw},
      {"LOCAL_PREF of 3 octets from iBGP", "RFC 7606 §7.5", update_message("", base + "40 05 03 000064", nlri), ibgp(), withdraw},
      {"LOCAL_PREF from eBGP", "RFC 7606 §7.5", update_message("", base + "40 05 04 00000064", nlri), ebgp(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.local_pref); }},
      {"ATOMIC_AGGREGATE of 1 octet", "RFC 7606 §7.6", update_message("", base + "40 06 01 00", nlri), ebgp(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.atomic_aggregate); }},
      {"AGGREGATOR of 7 octets", "RFC 7606 §7.7", update_message("", base + "C0 07 07 0000FDE9 C00002", nlri), ebgp(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_FALSE(update_of(d).attributes.aggregator); }},
      {"4-octet AGGREGATOR on a 2-octet session", "RFC 7606 §7.7", update_message("", origin + "40 02 04 02 01 FDE9 " + next_hop + "C0 07 08 0000FDE9 C0000201", nlri), two_octet(), discard},
      {"COMMUNITIES of 5 octets", "RFC 7606 §7.8", update_message("", base + "C0 08 05 FDE9000100", nlri), ebgp(), withdraw},
      {"ORIGINATOR_ID of 5 octets from iBGP", "RFC 7606 §7.9", update_message("", base + "80 09 05 0A00000100", nlri), ibgp(), withdraw},
      {"ORIGINATOR_ID from eBGP", "RFC 7606 §7.9", update_message("", base + "80 09 04 0A000001", nlri), ebgp(), discard},
      {"CLUSTER_LIST of 6 octets", "RFC 7606 §7.10", update_message("", base + "80 0A 06 0A0000010000", nlri), ibgp(), withdraw},
      {"MP_REACH of 4 octets", "RFC 7606 §7.11", update_message("", origin + as_path + "80 0E 04 0002 01 00", ""), ebgp(), reset, 3, 9},
      {"MP_REACH IPv6 next hop of 5 octets", "RFC 7606 §7.11", update_message("", origin + as_path + "80 0E 0C 0002 01 05 2001DB8000 00 20 20010DB8", ""), ebgp(), reset, 3, 9},
      {"MP_REACH next hop overruns", "RFC 7606 §7.11", update_message("", origin + as_path + "80 0E 08 0002 01 10 20010DB8", ""), ebgp(), reset, 3, 9},
      {"MP_REACH prefix /129", "RFC 7606 §7.11, §5.3", update_message("", origin + as_path + "80 0E 1A 0002 01 10 20010DB8000000000000000000000001 00 81 20010DB8", ""), ebgp(), reset, 3, 9},
      {"MP_UNREACH of 2 octets", "RFC 7606 §7.12", update_message("", "80 0F 02 0002", ""), ebgp(), reset, 3, 9},
      {"MP_UNREACH prefix overruns", "RFC 7606 §7.12, §5.3", update_message("", "80 0F 06 0002 01 40 2001", ""), ebgp(), reset, 3, 9},
      {"EXTENDED COMMUNITIES of 12 octets", "RFC 7606 §7.14", update_message("", base + "C0 10 0C 0002FDE900000064 00000000", nlri), ebgp(), withdraw},
      {"LARGE COMMUNITIES of 13 octets", "RFC 8092 §6", update_message("", base + "C0 20 0D 0000FDE9 00000001 00000002 00", nlri), ebgp(), withdraw},
      {"AS4_AGGREGATOR of 6 octets", "RFC 6793 §6", update_message("", origin + "40 02 04 02 01 5BA0 " + next_hop + "C0 07 06 5BA0 C0000201 C0 12 06 FA56 C0000201", nlri), two_octet(), discard, 0, 0,
       [](const Decoded& d) { EXPECT_EQ(update_of(d).attributes.aggregator->asn, as_trans); }},
      {"AS4_PATH with a confederation segment", "RFC 6793 §6", update_message("", origin + "40 02 04 02 01 5BA0 " + next_hop + "C0 11 06 03 01 FA56EA00", nlri), two_octet(), discard},
      {"unrecognized well-known attribute", "RFC 4271 §6.3", update_message("", base + "40 50 01 00", nlri), ebgp(), reset, 3, 2,
       [](const Decoded& d) { EXPECT_EQ(d.reset->data, (std::vector<uint8_t>{0x40, 0x50, 0x01, 0x00})); }},

      // ---- No reachable NLRI (RFC 7606 §5.2) and the strongest outcome (§3(h))
      {"malformed attribute with only withdrawals", "RFC 7606 §5.2", update_message("08 0A", base + "C0 08 05 FDE9000100", ""), ebgp(), reset, 3, 5},
      {"attribute discard without NLRI stays discard", "RFC 7606 §5.2", update_message("08 0A", base + "40 06 01 00", ""), ebgp(), discard},
      {"discard and withdraw: withdraw wins", "RFC 7606 §3(h)", update_message("", "40 01 01 07 " + as_path + next_hop + "40 06 01 00", nlri), ebgp(), withdraw},
      {"withdraw and reset: reset wins", "RFC 7606 §3(h)", update_message("", "40 01 01 07 " + as_path + next_hop + "40 50 01 00", nlri), ebgp(), reset, 3, 2},
  };
  return c;
}

TEST(MalformedCatalogue, EveryCaseHasExactlyItsOutcome) {
  auto cases = catalogue();
  EXPECT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " [" + c.section + "]");
    auto d = test::decode_whole(c.bytes, c.ctx);
    EXPECT_EQ(error_action_name(d.action), std::string(error_action_name(c.action)));
    EXPECT_EQ(d.reset.has_value(), c.action == ErrorAction::session_reset);
    if (c.action != ErrorAction::none) {
      ASSERT_FALSE(d.problems.empty());
      for (const auto& p : d.problems) EXPECT_FALSE(p.reason.empty());
    }
    if (d.reset && c.action == ErrorAction::session_reset) {
      EXPECT_EQ(d.reset->code, c.code) << d.problems.back().reason;
      EXPECT_EQ(d.reset->subcode, c.subcode) << d.problems.back().reason;
    }
    if (c.check && d.action != ErrorAction::session_reset) {
      ASSERT_TRUE(std::holds_alternative<Update>(d.message));
      c.check(d);
    } else if (c.check) {
      c.check(d);
    }
    // A malformed attribute is never re-encoded: what was kept encodes and
    // decodes without any problem.
    if (d.action == ErrorAction::treat_as_withdraw || d.action == ErrorAction::attribute_discard) {
      auto again = test::decode_whole(encode(std::get<Update>(d.message), c.ctx), c.ctx);
      if (again.action != ErrorAction::none) {
        // Only a missing mandatory attribute (whose malformed copy was
        // dropped) may remain; it is never a reset.
        EXPECT_EQ(again.action, ErrorAction::treat_as_withdraw);
        for (const auto& p : again.problems) EXPECT_EQ(p.notification.subcode, update_subcode::missing_well_known_attribute) << p.reason;
      }
    }
  }
}

}  // namespace
}  // namespace halink::bgp
