using Kiosk.Central.Provisioning;

namespace Kiosk.Central.Tests.Provisioning;

public sealed class BrokerAclTests
{
    [Test]
    public void A_kiosks_block_binds_its_certificate_name_to_its_own_prefix()
    {
        Assert.That(BrokerAcl.ForKiosk("site-a", "kiosk-1"), Is.EqualTo("""
            user kiosk-site-a-kiosk-1
            topic write kiosk/v1/site-a/kiosk-1/state
            topic write kiosk/v1/site-a/kiosk-1/telemetry
            topic write kiosk/v1/site-a/kiosk-1/records/+
            topic write kiosk/v1/site-a/kiosk-1/blobs/+/+
            topic write kiosk/v1/site-a/kiosk-1/csr
            topic read kiosk/v1/site-a/kiosk-1/ack
            topic read kiosk/v1/site-a/kiosk-1/cmd/#

            """.Replace("\r\n", "\n", StringComparison.Ordinal)));
    }

    // Each would widen the ACL: a wildcard reaches other kiosks, a line break adds a rule of its own.
    [TestCase("+", "kiosk-1")]
    [TestCase("site-a", "#")]
    [TestCase("site-a/kiosk-2", "kiosk-1")]
    [TestCase("site-a", "kiosk-1\ntopic readwrite #")]
    [TestCase("site-a", "kiosk-1\n")]
    [TestCase("", "kiosk-1")]
    public void An_id_that_could_widen_the_acl_is_refused(string siteId, string kioskId)
    {
        Assert.That(() => BrokerAcl.ForKiosk(siteId, kioskId), Throws.ArgumentException.With.Message.Contains("does not match"));
    }

    [TestCase("platform\ntopic readwrite #")]
    [TestCase("plat#form")]
    [TestCase("")]
    public void A_platform_name_with_a_line_break_or_a_wildcard_is_refused(string commonName)
    {
        Assert.That(() => BrokerAcl.ForPlatform(commonName), Throws.ArgumentException);
    }
}
