namespace Kiosk.Agent.Session;

/// <summary>
/// The words the screen shows for a policy's document type (<c>documentTypes</c> of <c>cmd/policy</c>, an identifier such
/// as <c>workCertificate</c>): Chinese and English for the types community-corrections offices ask for; any other type is
/// shown as its identifier in both languages, so a new type the platform sends still gets asked for.
/// </summary>
public static class DocumentTypeNames
{
    private static readonly Dictionary<string, (string Zh, string En)> Known = new(StringComparer.Ordinal)
    {
        ["workCertificate"] = ("工作证明", "work certificate"),
        ["residenceCertificate"] = ("居住证明", "residence certificate"),
        ["leaveApplication"] = ("请假申请", "leave application"),
        ["medicalCertificate"] = ("医疗证明", "medical certificate"),
        ["payslip"] = ("工资单", "payslip"),
        ["incomeCertificate"] = ("收入证明", "income certificate"),
        ["studyCertificate"] = ("学习证明", "certificate of study"),
        ["travelPermit"] = ("外出审批表", "travel permit"),
        ["idCardCopy"] = ("身份证复印件", "copy of the ID card"),
    };

    public static (string Zh, string En) Of(string type) => Known.TryGetValue(type, out var name) ? name : (type, type);
}
