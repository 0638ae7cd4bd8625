using Kiosk.Fuzz.Seeds;
using SharpFuzz;

namespace Kiosk.Fuzz.Harness;

/// <summary>The harness's commands (fuzz/README.md): list, run under afl-fuzz, replay files, write the seed corpora.</summary>
internal static class FuzzCommandLine
{
    private const string Usage = """
        usage: dotnet Kiosk.Fuzz.dll COMMAND
          list                       the targets, one a line: name and the code it covers
          run TARGET                 one target under afl-fuzz (SharpFuzz's out-of-process fork server; without afl-fuzz: one input from stdin)
          replay TARGET PATH...      runs files, or every file in folders, through TARGET in-process; prints each failure with its stack trace
          seeds DIR                  writes the generated seed corpora to DIR/<target>/
        """;

    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["list"]:
                foreach (var target in FuzzTargets.All)
                {
                    Console.WriteLine($"{target.Name}\t{target.Covers}");
                }

                return 0;
            case ["run", var name] when FuzzTargets.Find(name) is { } target:
                Fuzzer.OutOfProcess.Run(stream => target.Run(ReadAll(stream)));
                return 0;
            case ["replay", var name, .. var paths] when FuzzTargets.Find(name) is { } target && paths.Length > 0:
                return Replay(target, paths);
            case ["seeds", var folder]:
                SeedCorpus.Write(folder);
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
                return 2;
        }
    }

    private static int Replay(IFuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Replay reports whatever a target throws: that is the crash being looked at.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"CRASH {target.Name} {file}");
                Console.WriteLine(ex);
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count} input(s), {failed} crash(es)");
        return failed == 0 ? 0 : 1;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
