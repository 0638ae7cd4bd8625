using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Central.Tests.Provisioning;

/// <summary>Certificate requests as a kiosk makes them, and broken ones.</summary>
internal static class KioskRequests
{
    public static string CommonName(string siteId, string kioskId) => $"kiosk-{siteId}-{kioskId}";

    /// <summary>A PKCS#10 request for <paramref name="key"/>, signed by it.</summary>
    public static string Csr(ECDsa key, string commonName) =>
        new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    /// <summary>A request that carries <paramref name="publicKeyOf"/>'s public key but is signed by <paramref name="signer"/>: the requester does not hold the key it asks a certificate for.</summary>
    public static string CsrSignedByAnotherKey(ECDsa publicKeyOf, ECDsa signer, string commonName)
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), new PublicKey(publicKeyOf), HashAlgorithmName.SHA256);
        return PemEncoding.WriteString("CERTIFICATE REQUEST", request.CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(signer)));
    }
}
