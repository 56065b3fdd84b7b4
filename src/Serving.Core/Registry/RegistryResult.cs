using System.Diagnostics.CodeAnalysis;

namespace Serving.Core.Registry;

/// <summary>Either a value or a <see cref="RegistryError"/>; registry operations never throw for expected failures.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed record RegistryResult<T>
{
    private RegistryResult(T? value, RegistryError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value, when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>The failure, when not <see cref="IsSuccess"/>.</summary>
    public RegistryError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A successful result.</summary>
    public static RegistryResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static RegistryResult<T> Failure(RegistryError error) => new(default, error);

    /// <summary>A failed result.</summary>
    public static RegistryResult<T> Failure(RegistryErrorCode code, string message) => new(default, new RegistryError(code, message));

    /// <summary>Wraps a value.</summary>
    public static implicit operator RegistryResult<T>(T value) => Success(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator RegistryResult<T>(RegistryError error) => Failure(error);
}
