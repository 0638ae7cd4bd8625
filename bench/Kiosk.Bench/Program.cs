using System.Globalization;
using Kiosk.Bench;

// ./kiosk.sh bench [--quick] [--only commit,sync,attachments,vision,pages,detectors,matcher,delivery,drain,process] [--misses]
// Progress goes to stderr; the table and, as the last line, one JSON object go to stdout.
var quick = args.Contains("--quick");
var onlyIndex = Array.IndexOf(args, "--only");
var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1].Split(',') : null;
bool Runs(string name) => only is null || only.Contains(name);
var sizes = quick ? BenchSizes.Quick : BenchSizes.Full;
var report = new Report();
var total = System.Diagnostics.Stopwatch.StartNew();
void Progress(string text) => Console.Error.WriteLine($"[{total.Elapsed.TotalSeconds,6:0.0} s] {text}");

report.Figure("quick", quick);
if (Runs("commit"))
{
    foreach (var withAttachment in new[] { false, true })
    {
        var label = withAttachment ? "commit 1 KB + 150 KiB" : "commit 1 KB";
        var prefix = withAttachment ? "commit_attachment" : "commit";
        Progress($"{label}: {sizes.Commits} outbox commits interleaved with {sizes.Commits} raw SQLite inserts");
        var commit = await CommitBench.RunAsync(sizes.CommitWarmup, sizes.Commits, withAttachment);
        report.Figure($"{prefix}_p50_ms", commit.Ours.Percentile(50), 2);
        report.Figure($"{prefix}_p99_ms", commit.Ours.Percentile(99), 2);
        report.Figure($"sqlite_{prefix}_p99_ms", commit.Raw.Percentile(99), 2);
        report.Figure($"{prefix}_ratio_vs_sqlite", commit.Ours.PerSecond / commit.Raw.PerSecond, 3);
        report.Row($"{label}, commits/s", Report.Number(commit.Ours.PerSecond, "0", "/s"), Report.Number(commit.Raw.PerSecond, "0", "/s"), commit.Ours.PerSecond / commit.Raw.PerSecond);
        report.Row($"{label}, p99", Report.Ms(commit.Ours.Percentile(99)), Report.Ms(commit.Raw.Percentile(99)), commit.Raw.Percentile(99) / commit.Ours.Percentile(99), $"{prefix}_p99_ms");
        report.Note($"{label}: p50 {Report.Ms(commit.Ours.Percentile(50))} (raw {Report.Ms(commit.Raw.Percentile(50))}), max {Report.Ms(commit.Ours.Percentile(100))} (raw {Report.Ms(commit.Raw.Percentile(100))}), {commit.Ours.Count} commits each.");
    }
}

if (Runs("sync"))
{
    Progress($"sync: {sizes.SyncRecords} 1 KB check-ins, commit to platform ack, against MQTTnet QoS 1");
    var sync = await SyncBench.RunAsync("sync", sizes.SyncWarmup, sizes.SyncRecords, withAttachment: false);
    var ours = sync.Records / sync.Elapsed.TotalSeconds;
    var baseline = sync.Records / sync.Baseline.TotalSeconds;
    report.Figure("sync_records_per_s", ours, 1);
    report.Figure("mqttnet_records_per_s", baseline, 1);
    report.Figure("sync_ratio_vs_mqttnet", ours / baseline, 3);
    report.Figure("sync_commit_phase_s", sync.Committing.TotalSeconds, 2);
    report.Figure("sync_commit_to_ack_p50_ms", sync.CommitToAck.Percentile(50), 1);
    report.Row("sync 1 KB records, records/s", Report.Number(ours, "0", "/s"), Report.Number(baseline, "0", "/s"), ours / baseline, "sync_ratio_vs_mqttnet");
    report.Note($"sync: {sync.Acknowledged}/{sync.Records} acknowledged in {sync.Elapsed.TotalSeconds:0.00} s; committing alone took {sync.Committing.TotalSeconds:0.00} s ({sync.Records / sync.Committing.TotalSeconds:0}/s); "
        + $"commit-to-ack p50 {Report.Ms(sync.CommitToAck.Percentile(50))}, p99 {Report.Ms(sync.CommitToAck.Percentile(99))}; baseline {sync.Records} messages ({sync.BaselineBytes / 1e6:0.0} MB) in {sync.Baseline.TotalSeconds:0.00} s.");
}

if (Runs("attachments"))
{
    Progress($"attachments: {sizes.AttachmentRecords} check-ins with one 150 KiB attachment each, against MQTTnet QoS 1");
    var sync = await SyncBench.RunAsync("attachments", Math.Max(5, sizes.SyncWarmup / 10), sizes.AttachmentRecords, withAttachment: true);
    var ours = sync.PayloadBytes / 1e6 / sync.Elapsed.TotalSeconds;
    var baseline = sync.BaselineBytes / 1e6 / sync.Baseline.TotalSeconds;
    report.Figure("attachment_mb_per_s", ours, 1);
    report.Figure("mqttnet_attachment_mb_per_s", baseline, 1);
    report.Figure("attachment_ratio_vs_mqttnet", ours / baseline, 3);
    report.Figure("attachment_commit_phase_s", sync.Committing.TotalSeconds, 2);
    report.Row("sync 150 KiB attachments, MB/s", Report.Number(ours, "0.0", "MB/s"), Report.Number(baseline, "0.0", "MB/s"), ours / baseline, "attachment_ratio_vs_mqttnet");
    report.Note($"attachments: {sync.Acknowledged}/{sync.Records} acknowledged in {sync.Elapsed.TotalSeconds:0.00} s; committing alone took {sync.Committing.TotalSeconds:0.00} s ({sync.PayloadBytes / 1e6 / sync.Committing.TotalSeconds:0.0} MB/s); "
        + $"commit-to-ack p50 {Report.Ms(sync.CommitToAck.Percentile(50))}, p99 {Report.Ms(sync.CommitToAck.Percentile(99))}; baseline {sync.BaselineBytes / 1e6:0.0} MB in {sync.Baseline.TotalSeconds:0.00} s.");
}

if (Runs("vision"))
{
    var frames = quick ? 10 : 50;
    Progress($"vision: face pipeline on 640x480 and page correction on 1920x1080, {frames} frames, one thread");
    var vision = VisionBench.Run(frames);
    report.Figure("face_ms_per_frame", vision.FaceMs, 2);
    report.Figure("raw_detector_ms_per_frame", vision.RawDetectorMs, 2);
    report.Figure("face_ratio_vs_raw_detector", vision.FaceMs / vision.RawDetectorMs, 3);
    report.Figure("document_ms_per_frame", vision.DocumentMs, 1);
    report.Figure("raw_page_finder_ms_per_frame", vision.RawDocumentMs, 1);
    report.Figure("document_ratio_vs_raw_page_finder", vision.DocumentMs / vision.RawDocumentMs, 3);
    report.Figure("face_challenge_ms_per_frame", vision.ChallengeMs, 2);
    report.Row("face pipeline 640x480, ms/frame", Report.Ms(vision.FaceMs), Report.Ms(vision.RawDetectorMs), vision.RawDetectorMs / vision.FaceMs, "face_ms_per_frame");
    report.Row("face pipeline with liveness challenge, ms/frame", Report.Ms(vision.ChallengeMs), Report.Ms(vision.ChallengeRawMs), vision.ChallengeRawMs / vision.ChallengeMs, "face_challenge_ms_per_frame");
    report.Row("page correction 1920x1080, ms/frame", Report.Ms(vision.DocumentMs), Report.Ms(vision.RawDocumentMs), vision.RawDocumentMs / vision.DocumentMs);
    report.Note($"vision: page correction {vision.DocumentMs:0.0} ms, of which {vision.PngEncodeMs:0.0} ms is the PNG encoding of the {vision.PageSize} corrected page (200 dpi); the minimal page finder does the same encoding.");
    report.Note($"vision: the face pipeline found {vision.FacesFound} face(s) (letterboxing, decoding, sharpness, brightness, pose, centring on top of the bare model run); the page was {(vision.PageFound ? "found" : "NOT found")} in the warped scene.");
}

if (Runs("pages"))
{
    if (Kiosk.TestSupport.PageEvalSet.Missing is { } missing)
    {
        Progress($"pages: skipped, {missing}");
    }
    else
    {
        var passes = quick ? 1 : 3;
        Progress($"pages: page detection on the {Kiosk.TestSupport.PageEvalSet.All.Count} frames of the page evaluation set, {passes} pass(es), against a minimal page finder's detection, one thread");
        var pages = PageLocateBench.Run(passes);
        var ratio = pages.Ours.TotalMs / pages.Raw.TotalMs;
        report.Figure("page_locate_ms_per_frame", pages.Ours.TotalMs / pages.Ours.Count, 2);
        report.Figure("page_locate_p95_ms", pages.Ours.Percentile(95), 2);
        report.Figure("page_locate_max_ms", pages.Ours.Percentile(100), 2);
        report.Figure("raw_page_locate_ms_per_frame", pages.Raw.TotalMs / pages.Raw.Count, 2);
        report.Figure("page_locate_ratio_vs_raw", ratio, 3);
        report.Row("page detection on the evaluation set, ms/frame", Report.Ms(pages.Ours.TotalMs / pages.Ours.Count), Report.Ms(pages.Raw.TotalMs / pages.Raw.Count), 1 / ratio);
        report.Note($"pages: {pages.Frames} frames; ours p50 {Report.Ms(pages.Ours.Percentile(50))}, p95 {Report.Ms(pages.Ours.Percentile(95))}, max {Report.Ms(pages.Ours.Percentile(100))}; minimal finder p50 {Report.Ms(pages.Raw.Percentile(50))}, p95 {Report.Ms(pages.Raw.Percentile(95))}, max {Report.Ms(pages.Raw.Percentile(100))}.");
    }
}

if (Runs("detectors"))
{
    if (Kiosk.TestSupport.FaceEvalSet.Missing is { } missing)
    {
        Progress($"detectors: skipped, {missing}");
    }
    else
    {
        var passes = quick ? 1 : 3;
        var loadBefore = LoadAverage.Read();
        Progress($"detectors: Haar, LBP and BlazeFace on the {Kiosk.TestSupport.FaceEvalSet.All.Count} frames of the face evaluation set, {passes} timing pass(es), one thread");
        // --misses lists, on stderr, every frame a detector got wrong (faces, found, false positives).
        var rows = FaceDetectorComparison.Run(passes, args.Contains("--misses") ? (detector, frame, s) => Console.Error.WriteLine($"miss {detector} {frame}: {s.Found}/{s.Faces} found, {s.FalsePositives} false") : null);
        foreach (var row in rows)
        {
            var all = row.Tallies["all"];
            report.Figure($"detector_{row.Key}_found_pct", 100.0 * all.Found / all.Faces, 1);
            report.Figure($"detector_{row.Key}_false_positives", all.FalsePositives, 0);
            report.Figure($"detector_{row.Key}_ms_per_frame", row.MeanMs, 2);
        }

        Console.Out.WriteLine(FaceDetectorComparison.Table(rows));
        report.Note($"detectors: table above; load average (1, 5, 15 min) at the start {loadBefore}, at the end {LoadAverage.Read()} (2 cores).");
    }
}

if (Runs("matcher"))
{
    if (Kiosk.TestSupport.FaceEvalSet.Missing is { } missing)
    {
        Progress($"matcher: skipped, {missing}");
    }
    else
    {
        Progress("matcher: the LBPH 1:1 matcher on same-person and different-person pairs of the face evaluation set");
        // --misses lists, on stderr, every frame in which no single face was found (it scores 0 in all its pairs).
        var matcher = MatcherEvaluation.Run(args.Contains("--misses") ? frame => Console.Error.WriteLine($"matcher: no single face in {frame}") : null);
        var chosen = matcher.Rows.Single(r => r.Threshold == matcher.ChosenThreshold);
        report.Figure("matcher_same_pairs", chosen.SamePairs, 0);
        report.Figure("matcher_different_pairs", chosen.DifferentPairs, 0);
        report.Figure("matcher_far_pct", 100 * chosen.Far, 2);
        report.Figure("matcher_frr_pct", 100 * chosen.Frr, 1);
        report.Figure("matcher_eer_pct", 100 * matcher.Eer, 1);
        report.Figure("matcher_eer_threshold", matcher.EerThreshold, 4);
        var found = matcher.FoundRows.Single(r => r.Threshold == matcher.ChosenThreshold);
        report.Figure("matcher_found_same_pairs", found.SamePairs, 0);
        report.Figure("matcher_found_different_pairs", found.DifferentPairs, 0);
        report.Figure("matcher_found_far_pct", 100 * found.Far, 2);
        report.Figure("matcher_found_frr_pct", 100 * found.Frr, 1);
        report.Figure("matcher_found_eer_pct", 100 * matcher.FoundEer, 1);
        report.Figure("matcher_highest_different_score", matcher.HighestDifferentScore, 4);
        report.Figure("matcher_frames_without_face", matcher.FramesWithoutFace, 0);
        Console.Out.WriteLine(MatcherEvaluation.Table(matcher));
    }
}

if (Runs("delivery"))
{
    // Where the sync time goes: the same records committed before the agent starts, so no commit competes with
    // delivery; timed from the first platform ack to the last.
    Progress($"delivery: backlogs of {sizes.SyncRecords} 1 KB records and of {sizes.AttachmentRecords} records with 150 KiB, drained");
    var records = await DrainBench.RunAsync("delivery", sizes.SyncRecords, 0, sizes.DrainLimit);
    var recordsPerSecond = (records.Acknowledged - 1) / records.Streaming.TotalSeconds;
    report.Figure("delivery_records_per_s", recordsPerSecond, 1);
    var attachments = await DrainBench.RunAsync("delivery-attachments", sizes.AttachmentRecords, sizes.AttachmentRecords, sizes.DrainLimit);
    var megabytesPerSecond = (attachments.Acknowledged - 1) * (double)Payloads.Attachment.Length / 1e6 / attachments.Streaming.TotalSeconds;
    report.Figure("delivery_attachment_mb_per_s", megabytesPerSecond, 1);
    report.Row("deliver 1 KB backlog, records/s", Report.Number(recordsPerSecond, "0", "/s"), report.Has("mqttnet_records_per_s") ? Report.Number(report.Get("mqttnet_records_per_s"), "0", "/s") : "-",
        report.Has("mqttnet_records_per_s") ? recordsPerSecond / report.Get("mqttnet_records_per_s") : null);
    report.Row("deliver 150 KiB backlog, MB/s", Report.Number(megabytesPerSecond, "0.0", "MB/s"), report.Has("mqttnet_attachment_mb_per_s") ? Report.Number(report.Get("mqttnet_attachment_mb_per_s"), "0.0", "MB/s") : "-",
        report.Has("mqttnet_attachment_mb_per_s") ? megabytesPerSecond / report.Get("mqttnet_attachment_mb_per_s") : null);
    report.Note($"delivery: {records.Records} records, first to last ack {records.Streaming.TotalSeconds:0.00} s (start and connect {(records.Elapsed - records.Streaming).TotalSeconds:0.00} s), platform's last store at {records.PlatformLastStored.TotalSeconds:0.00} s of {records.Elapsed.TotalSeconds:0.00} s; "
        + $"{attachments.Records} with attachments, first to last ack {attachments.Streaming.TotalSeconds:0.00} s, platform's last store at {attachments.PlatformLastStored.TotalSeconds:0.00} s of {attachments.Elapsed.TotalSeconds:0.00} s.");
}

if (Runs("drain"))
{
    Progress($"drain: building a backlog of {sizes.DrainRecords} records and {sizes.DrainAttachments} x 150 KiB while the agent is away");
    var drain = await DrainBench.RunAsync("drain", sizes.DrainRecords, sizes.DrainAttachments, sizes.DrainLimit, withBaseline: true);
    var rawDrain = drain.Baseline!.Value.TotalSeconds;
    report.Figure("drain_s", drain.Elapsed.TotalSeconds, 1);
    report.Figure("raw_drain_s", rawDrain, 2);
    report.Figure("drain_ratio_vs_raw", rawDrain / drain.Elapsed.TotalSeconds, 3);
    report.Figure("drain_records", drain.Records, 0);
    report.Figure("drain_acknowledged", drain.Acknowledged, 0);
    report.Figure("drain_complete", drain.Complete);
    var rate = drain.Acknowledged / drain.Elapsed.TotalSeconds;
    report.Row("drain backlog, s", Report.Number(drain.Elapsed.TotalSeconds, "0.0", "s"), Report.Number(rawDrain, "0.0", "s"), rawDrain / drain.Elapsed.TotalSeconds, "drain_s");
    report.Note($"drain: {drain.Acknowledged}/{drain.Records} records ({drain.AttachmentBytes / 1e6:0} MB of attachments) acknowledged in {drain.Elapsed.TotalSeconds:0.0} s{(drain.Complete ? "" : " (stopped at the limit)")}, "
        + $"{rate:0} records/s; the platform stored its last record at {drain.PlatformLastStored.TotalSeconds:0.0} s in {drain.PlatformGroups.Groups} group commits "
        + $"({(drain.PlatformGroups.Groups == 0 ? 0 : (double)drain.PlatformGroups.Records / drain.PlatformGroups.Groups):0.0} records each); building the backlog (one durable commit per record, as the agent commits check-ins) took {drain.BuildTime.TotalSeconds:0.0} s. "
        + $"Baseline: the same messages through the same broker by plain MQTTnet to a plain subscriber that group-commits them to SQLite, {rawDrain:0.00} s (no outbox, sealing, signing or ack).");
}

if (Runs("process"))
{
    Progress("process: the agent as its own process, time to birth and idle RSS");
    var process = await AgentProcessBench.RunAsync(sizes.IdleBeforeRss);
    report.Figure("ready_ms", process.Ready.TotalMilliseconds, 0);
    report.Figure("idle_rss_mb", process.IdleRssMb, 1);
    report.Row("agent process, ready", Report.Number(process.Ready.TotalMilliseconds, "0", "ms"), "-", null, "ready_ms");
    report.Row($"agent process, RSS after {sizes.IdleBeforeRss.TotalSeconds:0} s idle", Report.Number(process.IdleRssMb, "0.0", "MB"), "-", null, "idle_rss_mb");
}

Progress("done");
report.Figure("bench_s", total.Elapsed.TotalSeconds, 0);
Console.Out.WriteLine(report.Render());
Console.Out.Flush();
return 0;
