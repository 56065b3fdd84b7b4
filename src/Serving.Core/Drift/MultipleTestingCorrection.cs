namespace Serving.Core.Drift;

/// <summary>How KS p-values are adjusted for testing every column of a model at once.</summary>
internal enum MultipleTestingCorrection
{
    /// <summary>No adjustment: each column is tested at the nominal level.</summary>
    None,

    /// <summary>Bonferroni: <c>min(1, m·p)</c>; controls the family-wise error rate.</summary>
    Bonferroni,

    /// <summary>Benjamini–Hochberg step-up adjusted p-values; controls the false discovery rate.</summary>
    BenjaminiHochberg,
}
