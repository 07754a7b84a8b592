import { useId } from "react";

export function ModelPicker({
  value,
  names,
  onChange,
  label = "Model",
}: {
  value: string;
  names: string[] | undefined;
  onChange: (value: string) => void;
  label?: string;
}) {
  const id = useId();
  return (
    <div className="field inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {(names ?? [value]).filter(Boolean).map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}
