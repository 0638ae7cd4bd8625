using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Tests.Measuring;

public sealed class ProcessCpuTests
{
    [Test]
    public void Sums_utime_and_stime_counting_fields_after_the_command_name()
    {
        // A command name with a space and a parenthesis must not shift the fields (proc(5): field 2 is "(comm)").
        var stat = "4242 (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 12345 1000000 200 18446744073709551615";

        Assert.That(ProcessCpu.ParseStat(stat), Is.EqualTo(3.0));
    }

    [Test]
    public void A_line_without_the_fields_reads_as_nothing()
    {
        Assert.That(ProcessCpu.ParseStat("4242 (short) S 1"), Is.Null);
        Assert.That(ProcessCpu.ParseStat("garbage"), Is.Null);
    }

    [Test]
    public void Reads_this_process_from_proc()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            Assert.Ignore("no /proc on this system");
        }

        Assert.That(ProcessCpu.Seconds(Environment.ProcessId), Is.GreaterThanOrEqualTo(0));
        Assert.That(ProcessCpu.ResidentKib(), Is.GreaterThan(0));
        Assert.That(ProcessCpu.OpenFileLimit(), Is.GreaterThan(0));
    }
}
