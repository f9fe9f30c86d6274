export {
  ParameterForm,
  defaultParameterFormLabels,
  useParameterFormField,
  type ParameterFormProps,
  type ParameterFormRootProps,
  type ParameterFormFieldProps,
  type ParameterFormReferenceProps,
  type ParameterFormSubmitProps,
  type ParameterFormErrorProps,
  type ParameterFormLabels,
  type ParameterFormFieldState,
} from './parameter-form.js';
export {
  defaultParameterFormValue,
  toCharacterInput,
  type ParameterFormValue,
  type ParameterFormFieldName,
} from './values.js';
