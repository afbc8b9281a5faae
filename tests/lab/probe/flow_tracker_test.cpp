#include "lab/probe/flow_tracker.h"

#include <gtest/gtest.h>

#include <set>

namespace halink::lab {
namespace {

constexpr int64_t ms = 1'000'000;
constexpr int64_t interval = 1 * ms;  // 1,000 packets/s
const int64_t t0 = 10'000 * ms;       // the sender's first send time
const Duration delay = Duration::microseconds(40);
const ProbeEndpoint source{IpAddress::v4(10, 0, 0, 1), 40000};

// One sender flow whose packets the test delivers (or not) to a tracker.
struct Flow {
  uint64_t run_id = 0xabc;
  uint32_t flow = 0;
  uint32_t first_sequence = 0;
  int64_t send_ns(uint64_t index) const { return t0 + int64_t(index) * interval; }
  ProbePacket packet(uint64_t index) const {
    ProbePacket p;
    p.run_id = run_id;
    p.flow = flow;
    p.sequence = uint32_t(first_sequence + index);
    p.send_ns = send_ns(index);
    p.interval_ns = uint32_t(interval);
    p.first_sequence = first_sequence;
    return p;
  }
  void deliver(FlowTracker& tracker, uint64_t index) const {
    tracker.on_packet(Time::from_ns(send_ns(index)) + delay, packet(index), source);
  }
  // Packets [from, to) except those in `lost`.
  void deliver_range(FlowTracker& tracker, uint64_t from, uint64_t to, const std::set<uint64_t>& lost = {}) const {
    for (uint64_t i = from; i < to; ++i)
      if (!lost.count(i)) deliver(tracker, i);
  }
  void end_marker(FlowTracker& tracker, uint64_t last_index) const {
    ProbePacket p = packet(last_index);
    p.kind = ProbePacketKind::end;
    tracker.on_packet(Time::from_ns(send_ns(last_index)) + Duration::milliseconds(1), p, source);
  }
  Time after(uint64_t index, Duration extra) const { return Time::from_ns(send_ns(index)) + extra; }
};

std::set<uint64_t> range(uint64_t from, uint64_t to) {
  std::set<uint64_t> s;
  for (uint64_t i = from; i < to; ++i) s.insert(i);
  return s;
}

FlowTracker tracker_started_before_sender() { return FlowTracker({Time::from_ns(t0 - 5 * ms)}); }

TEST(FlowTracker, SteadyFlowHasNoOutage) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 1000);
  flow.end_marker(tracker, 999);
  ProbeReport report = tracker.report(flow.after(999, Duration::milliseconds(20)));
  ASSERT_EQ(report.flows.size(), 1u);
  const FlowReport& f = report.flows[0];
  EXPECT_EQ(f.sent, 1000u);
  EXPECT_EQ(f.received, 1000u);
  EXPECT_EQ(f.lost, 0u);
  EXPECT_TRUE(f.outages.empty());
  EXPECT_TRUE(f.ended);
  EXPECT_FALSE(f.recovered_at_ns);
  EXPECT_FALSE(f.down_at_end);
  EXPECT_EQ(f.longest_outage_ns, 0);
  EXPECT_EQ(f.min_delay_ns, delay.ns());
  EXPECT_EQ(f.max_delay_ns, delay.ns());
  EXPECT_EQ(f.source, source);
  EXPECT_EQ(report.totals.flows_hit, 0u);
}

TEST(FlowTracker, OutageInTheMiddleIsTheGapMinusOneInterval) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 1000, range(100, 400));
  flow.end_marker(tracker, 999);
  const FlowReport f = tracker.report(flow.after(999, Duration::milliseconds(20))).flows.at(0);
  ASSERT_EQ(f.outages.size(), 1u);
  const OutageInterval& o = f.outages[0];
  EXPECT_EQ(o.start_ns, flow.send_ns(100));  // send(99) + interval
  EXPECT_EQ(o.end_ns, flow.send_ns(400));    // first packet through again
  EXPECT_EQ(o.duration_ns(), 300 * ms);
  EXPECT_EQ(o.lost, 300u);
  EXPECT_FALSE(o.open);
  EXPECT_EQ(f.lost, 300u);
  EXPECT_EQ(f.sent, 1000u);
  EXPECT_EQ(f.longest_outage_ns, 300 * ms);
  EXPECT_EQ(f.recovered_at_ns, flow.send_ns(400));
  EXPECT_FALSE(f.down_at_end);
}

TEST(FlowTracker, SingleLossIsOneIntervalAndSeveralOutagesAreListedInOrder) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 100, {10, 50, 51, 52});
  flow.end_marker(tracker, 99);
  const FlowReport f = tracker.report(flow.after(99, Duration::milliseconds(20))).flows.at(0);
  ASSERT_EQ(f.outages.size(), 2u);
  EXPECT_EQ(f.outages[0].duration_ns(), 1 * ms);
  EXPECT_EQ(f.outages[0].lost, 1u);
  EXPECT_EQ(f.outages[1].start_ns, flow.send_ns(50));
  EXPECT_EQ(f.outages[1].duration_ns(), 3 * ms);
  EXPECT_EQ(f.longest_outage_ns, 3 * ms);
  EXPECT_EQ(f.lost, 4u);
  EXPECT_EQ(f.recovered_at_ns, flow.send_ns(53));
}

TEST(FlowTracker, OutageAtTheStartCountsFromTheFirstSequenceNumber) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 50, 200);
  flow.end_marker(tracker, 199);
  const FlowReport f = tracker.report(flow.after(199, Duration::milliseconds(20))).flows.at(0);
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(0));
  EXPECT_EQ(f.outages[0].end_ns, flow.send_ns(50));
  EXPECT_EQ(f.outages[0].lost, 50u);
  EXPECT_EQ(f.sent, 200u);
  EXPECT_EQ(f.sent_before_receiver, 0u);
  EXPECT_EQ(f.recovered_at_ns, flow.send_ns(50));
}

TEST(FlowTracker, PacketsSentBeforeTheReceiverStartedAreNotLosses) {
  // The receiver started between packets 20 and 21.
  FlowTracker tracker({Time::from_ns(t0 + 20 * interval + interval / 2)});
  Flow flow;
  flow.deliver_range(tracker, 50, 200);
  const FlowReport f = tracker.report(flow.after(199, Duration::milliseconds(1))).flows.at(0);
  EXPECT_EQ(f.sent_before_receiver, 21u);  // 0..20
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].lost, 29u);  // 21..49
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(21));
  EXPECT_EQ(f.sent, 150u + 29u);

  // Started after everything before the first received packet was sent.
  FlowTracker late({Time::from_ns(flow.send_ns(49) + 1)});
  flow.deliver_range(late, 50, 200);
  const FlowReport g = late.report(flow.after(199, Duration::milliseconds(1))).flows.at(0);
  EXPECT_TRUE(g.outages.empty());
  EXPECT_EQ(g.sent_before_receiver, 50u);
  EXPECT_EQ(g.lost, 0u);
}

TEST(FlowTracker, OutageAtTheEndIsCountedAgainstTheEndMarker) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 900);
  flow.end_marker(tracker, 999);  // 900..999 lost, the marker got through
  const FlowReport f = tracker.report(flow.after(999, Duration::milliseconds(20))).flows.at(0);
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(900));
  EXPECT_EQ(f.outages[0].end_ns, flow.send_ns(1000));
  EXPECT_EQ(f.outages[0].lost, 100u);
  EXPECT_TRUE(f.outages[0].open);
  EXPECT_EQ(f.sent, 1000u);
  EXPECT_EQ(f.last_sequence, 999u);
  EXPECT_TRUE(f.down_at_end);
  EXPECT_FALSE(f.recovered_at_ns);
}

TEST(FlowTracker, SilenceAtTheEndWithoutEndMarkerIsAnOpenOutageAfterTheGrace) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 500);
  // Within the grace (50 ms by default): the sender is merely still running.
  EXPECT_TRUE(tracker.report(flow.after(499, Duration::milliseconds(30))).flows.at(0).outages.empty());
  Time now = flow.after(499, Duration::milliseconds(300));
  const FlowReport f = tracker.report(now).flows.at(0);
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(500));
  EXPECT_EQ(f.outages[0].end_ns, now.ns());
  EXPECT_EQ(f.outages[0].lost, 300u);  // estimated from the interval
  EXPECT_TRUE(f.outages[0].open);
  EXPECT_TRUE(f.down_at_end);
  EXPECT_FALSE(f.ended);
}

TEST(FlowTracker, ReorderedPacketsAreCountedNotLost) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 10, {5});
  flow.deliver(tracker, 5);  // arrives after 9: fills its hole
  flow.deliver_range(tracker, 10, 20);
  flow.end_marker(tracker, 19);
  const FlowReport f = tracker.report(flow.after(19, Duration::milliseconds(20))).flows.at(0);
  EXPECT_EQ(f.reordered, 1u);
  EXPECT_EQ(f.received, 20u);
  EXPECT_EQ(f.lost, 0u);
  EXPECT_TRUE(f.outages.empty());
}

TEST(FlowTracker, DuplicatesAreCountedOnce) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.deliver_range(tracker, 0, 10);
  flow.deliver(tracker, 3);
  flow.deliver(tracker, 9);
  flow.end_marker(tracker, 9);
  flow.end_marker(tracker, 9);  // the sender repeats its end marker
  const FlowReport f = tracker.report(flow.after(9, Duration::milliseconds(20))).flows.at(0);
  EXPECT_EQ(f.duplicates, 2u);
  EXPECT_EQ(f.received, 10u);
  EXPECT_EQ(f.sent, 10u);
  EXPECT_EQ(f.reordered, 0u);
  EXPECT_TRUE(f.outages.empty());
}

TEST(FlowTracker, SequenceNumbersWrapAt32Bits) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.first_sequence = 0xffffffff - 9;  // wire sequence 0 is the 11th packet
  flow.deliver_range(tracker, 0, 30, {12, 13});
  flow.end_marker(tracker, 29);
  const FlowReport f = tracker.report(flow.after(29, Duration::milliseconds(20))).flows.at(0);
  EXPECT_EQ(f.sent, 30u);
  EXPECT_EQ(f.lost, 2u);
  EXPECT_EQ(f.reordered, 0u);
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(12));
  EXPECT_EQ(f.outages[0].duration_ns(), 2 * ms);
  EXPECT_EQ(f.last_sequence, 0xffffffffULL - 9 + 29);
}

TEST(FlowTracker, ExtendSequenceTakesTheNearestValue) {
  const int64_t wrap = int64_t(1) << 32;
  EXPECT_EQ(extend_sequence(5, 3), 5);
  EXPECT_EQ(extend_sequence(1, 3), 1);                           // late
  EXPECT_EQ(extend_sequence(2, wrap - 3), wrap + 2);             // across the wrap
  EXPECT_EQ(extend_sequence(0xfffffffe, wrap + 1), wrap - 2);    // late, from before the wrap
  EXPECT_EQ(extend_sequence(7, 3 * wrap + 5), 3 * wrap + 7);
}

TEST(FlowTracker, PacketsBelowTheFirstSequenceAreInvalid) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.first_sequence = 100;
  flow.deliver_range(tracker, 0, 10);
  ProbePacket bogus = flow.packet(0);
  bogus.sequence = 50;
  tracker.on_packet(flow.after(9, Duration::zero()), bogus, source);
  tracker.on_invalid();
  ProbeReport report = tracker.report(flow.after(9, Duration::milliseconds(1)));
  EXPECT_EQ(report.invalid_datagrams, 2u);
  EXPECT_EQ(report.flows.at(0).received, 10u);
}

TEST(FlowTracker, OnlyEndMarkersArrivedMeansEverythingWasLost) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow flow;
  flow.end_marker(tracker, 99);
  const FlowReport f = tracker.report(flow.after(99, Duration::milliseconds(20))).flows.at(0);
  EXPECT_EQ(f.sent, 100u);
  EXPECT_EQ(f.lost, 100u);
  ASSERT_EQ(f.outages.size(), 1u);
  EXPECT_EQ(f.outages[0].start_ns, flow.send_ns(0));
  EXPECT_EQ(f.outages[0].end_ns, flow.send_ns(100));
  EXPECT_TRUE(f.down_at_end);
}

TEST(FlowTracker, FlowsAndSenderRunsAreSeparateAndTotalled) {
  FlowTracker tracker = tracker_started_before_sender();
  Flow a, b, restarted;
  b.flow = 1;
  restarted.run_id = 0xdef;  // the same flow id from a restarted sender
  a.deliver_range(tracker, 0, 100);
  b.deliver_range(tracker, 0, 100, range(20, 60));
  restarted.deliver_range(tracker, 0, 100, {7});
  for (const Flow* f : {&a, &b, &restarted}) f->end_marker(tracker, 99);
  ProbeReport report = tracker.report(a.after(99, Duration::milliseconds(20)));
  ASSERT_EQ(report.flows.size(), 3u);
  const ProbeTotals& t = report.totals;
  EXPECT_EQ(t.flows, 3u);
  EXPECT_EQ(t.runs, 2u);
  EXPECT_EQ(t.flows_hit, 2u);
  EXPECT_EQ(t.worst_outage_ns, 40 * ms);
  EXPECT_EQ(t.sent, 300u);
  EXPECT_EQ(t.lost, 41u);
  EXPECT_EQ(t.first_outage_start_ns, a.send_ns(7));
  EXPECT_EQ(t.last_recovered_at_ns, a.send_ns(60));
  EXPECT_NEAR(t.loss_percent(), 100.0 * 41 / 300, 1e-9);
}

}  // namespace
}  // namespace halink::lab
