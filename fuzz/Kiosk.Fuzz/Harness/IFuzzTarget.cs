namespace Kiosk.Fuzz.Harness;

/// <summary>
/// One parser of outside input under the fuzzer. <see cref="Run"/> returns normally for every input the parser's
/// contract allows, documented rejections included (an error value, or the one exception type the parser documents);
/// anything else escapes, and afl-fuzz records the input as a crash. Implementations are thin: they call the real
/// parser and state its contract, nothing more.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The target's name on the command line and its corpus folder under fuzz/corpus.</summary>
    string Name { get; }

    /// <summary>The code under test, for people: file and entry point.</summary>
    string Covers { get; }

    void Run(byte[] input);
}
