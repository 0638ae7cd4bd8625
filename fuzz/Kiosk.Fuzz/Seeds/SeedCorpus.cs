namespace Kiosk.Fuzz.Seeds;

/// <summary>
/// The seed corpora under fuzz/corpus, made by the product's own encoders (and a few hand-written documents) so that
/// nothing third-party is committed: `dotnet Kiosk.Fuzz.dll seeds fuzz/corpus` writes them again.
/// </summary>
internal static class SeedCorpus
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All() =>
        MessageSeeds.All().Concat(SerialSeeds.All()).Concat(InputSeeds.All()).Concat(ImagingSeeds.All()).Concat(ProvisioningSeeds.All()).Concat(CommandSeeds.All()).Concat(ControlSeeds.All());

    public static void Write(string folder)
    {
        foreach (var (target, name, bytes) in All())
        {
            var directory = Path.Combine(folder, target);
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }

        // Signed anew only when missing: an ES256 signature is random, and the committed ones verify (CorpusReplayTests).
        foreach (var (target, name, make, _) in ControlSeeds.Signed())
        {
            var path = Path.Combine(folder, target, name);
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, make());
            }
        }
    }
}
