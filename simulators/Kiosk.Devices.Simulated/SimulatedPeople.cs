using System.Globalization;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// Deterministic made-up people with resident ID card data that passes every format check: plausible
/// Chinese names, GB 11643-1999 numbers with valid check characters, matching sex codes and birth dates,
/// validity periods by age at issue (GA 467 rules: 10 years under 26, 20 years to 45, long-term from 46).
/// The photo is a deterministic 1024-byte placeholder standing in for the WLT a SAM delivers; it is not
/// a decodable image. Everyone's face is the "astronaut" photograph, the only frontal face in the test data.
/// </summary>
public static class SimulatedPeople
{
    public const string FaceSourceId = "astronaut";

    /// <summary>The date cards are issued against, fixed so that the same seed gives the same cards every year.</summary>
    private static readonly DateOnly ReferenceDate = new(2025, 1, 1);

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
    private static readonly string[] MaleGiven = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "建国", "志强", "海峰", "文博", "子豪", "国庆"];
    private static readonly string[] FemaleGiven = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "丽华", "晓燕", "雪梅", "婷婷", "佳怡", "欣然", "桂兰"];
    private static readonly string[] Streets = ["建设路", "人民路", "解放路", "中山路", "和平街", "新华路", "文化路", "长安街"];

    private static readonly Region[] Regions =
    [
        new("110101", "北京市东城区", "北京市公安局东城分局"),
        new("310104", "上海市徐汇区", "上海市公安局徐汇分局"),
        new("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
        new("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
        new("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
        new("420106", "湖北省武汉市武昌区", "武汉市公安局武昌区分局"),
        new("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局"),
    ];

    public static IReadOnlyList<SimulatedPerson> Generate(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new SeededRandom(seed, "people");
        var people = new List<SimulatedPerson>(count);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        while (people.Count < count)
        {
            var person = Next(random);
            if (numbers.Add(person.Card.IdNumber))
            {
                people.Add(person);
            }
        }

        return people;
    }

    private static SimulatedPerson Next(SeededRandom random)
    {
        var male = random.NextDouble() < 0.7;
        var given = male ? MaleGiven : FemaleGiven;
        var name = Surnames[random.Next(0, Surnames.Length)] + given[random.Next(0, given.Length)];
        var region = Regions[random.Next(0, Regions.Length)];
        var birth = new DateOnly(1960, 1, 1).AddDays(random.Next(0, 365 * 42));

        // Sequence: odd last digit for men, even for women (GB 11643-1999 section 4.3).
        var sequence = (random.Next(0, 50) * 20) + (random.Next(0, 5) * 2) + (male ? 1 : 0);
        var first17 = region.Code + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        var idNumber = first17 + IdNumber.ComputeCheckDigit(first17);

        var (validFrom, validUntil) = Validity(random, birth);
        var address = $"{region.Address}{Streets[random.Next(0, Streets.Length)]}{random.Next(1, 300)}号{random.Next(1, 20)}栋{random.Next(1, 30)}0{random.Next(1, 5)}室";

        var photo = new byte[1024];
        random.NextBytes(photo);

        var card = new IdCardData
        {
            Name = name,
            SexCode = male ? "1" : "2",
            EthnicityCode = "01",
            BirthDate = birth,
            Address = address,
            IdNumber = idNumber,
            IssuingAuthority = region.Authority,
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            Photo = photo,
        };
        return new SimulatedPerson(card, FaceSourceId);
    }

    /// <summary>Issued within the last few years before the reference date; the period follows the age at issue.</summary>
    private static (DateOnly From, DateOnly? Until) Validity(SeededRandom random, DateOnly birth)
    {
        var from = ReferenceDate.AddDays(-random.Next(30, 365 * 5));
        var ageAtIssue = from.Year - birth.Year - (from.DayOfYear < birth.DayOfYear ? 1 : 0);
        return ageAtIssue switch
        {
            < 26 => (from, from.AddYears(10)),
            <= 45 => (from, from.AddYears(20)),
            _ => (from, null),
        };
    }

    private sealed record Region(string Code, string Address, string Authority);
}
