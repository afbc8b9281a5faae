// What happened to traffic during a scenario, as plain data: the events, the
// outage intervals of every flow and the traffic each tunnel carried over
// time. The simulator fills it from virtual time (`halink sim --scenario`,
// `halink demo`), the lab from its measurements, and both draw it with the
// same renderer (timeline_svg.h) and summarise it with summarize() below, so
// a simulated and a measured run of one scenario can be laid side by side.
//
// Times are on the producer's own clock (virtual time from zero in the
// simulator, time since the run started in the lab); only differences and
// order matter.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace halink::design {

struct TimelineEvent {
  Time at;
  std::string text;  // "fail: tunnel-blackhole r1-g1", "r1: BGP g1-t1 down (BFD)"
  bool marked = false;  // a scenario step (drawn as a line across the picture), not a protocol event
};

// A flow was not delivered from start to end. An interval still open when
// the run ended has end == Time::never().
struct OutageInterval {
  Time start;
  Time end = Time::never();
  bool ongoing() const { return end.is_never(); }
};

struct FlowRow {
  std::string name;       // "onprem→cloud #12" or the probe's name
  std::string direction;  // "onprem → cloud": rows of one direction are drawn and summarised together
  std::vector<OutageInterval> outages;  // in time order, not overlapping
};

enum class SeriesUnit : uint8_t {
  share,            // fraction 0..1 of the direction's traffic
  bits_per_second,  // a measured rate
};

// Each sample holds from its time until the next sample (a step function);
// the last holds until Timeline::end.
struct SeriesSample {
  Time at;
  double value = 0;
};

struct TunnelSeries {
  std::string name;       // "r1-g1 (isp1)"
  std::string direction;  // "onprem → cloud"
  std::vector<SeriesSample> samples;  // in time order
};

// A stretch of the scenario that begins with one of its steps (a failure,
// a repair, a change) and lasts until the next such step or the end.
struct TimelinePhase {
  std::string label;  // "fail: tunnel-blackhole r1-g1"
  Time start;
  Time end;
};

struct Timeline {
  std::string title;
  Time start;
  Time end;
  std::vector<TimelineEvent> events;
  std::vector<FlowRow> flows;
  SeriesUnit unit = SeriesUnit::share;
  std::vector<TunnelSeries> tunnels;
  std::vector<TimelinePhase> phases;
};

// What one phase did to the flows. An outage belongs to the phase in which
// it starts.
struct PhaseSummary {
  std::string label;
  size_t flows = 0;      // flow rows in the timeline
  size_t flows_hit = 0;  // rows with an outage starting in this phase
  Duration worst;        // longest such outage (an ongoing one: up to Timeline::end)
  // From the phase's start until the last of those outages ended; zero when
  // no flow was hit; nullopt when one had not ended by Timeline::end.
  std::optional<Duration> recovered_after;
};

std::vector<PhaseSummary> summarize(const Timeline& timeline);

// The closing table of `halink demo` / `halink sim --scenario`:
//   step                                 flows hit   worst outage   recovered after
//   fail: tunnel-blackhole r1-g1          32/256       301 ms          301 ms
std::string render_summary_table(const std::vector<PhaseSummary>& phases);
// "281 ms": outages in reports and timelines (whole milliseconds).
std::string milliseconds_text(Duration d);

}  // namespace halink::design
